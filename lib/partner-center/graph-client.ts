/**
 * The Microsoft Graph client: the shared client (client.ts: transport, retry policy, 401
 * renewal, redirects, traces) speaking Graph's dialect (graph-api.ts). Its token provider hands
 * out Graph tokens, which the session gets for the same saved context (lib/session/resources.ts).
 */
import { ApiClient, type ClientOptions } from './client.js';
import { GRAPH_API } from './graph-api.js';

export class GraphClient extends ApiClient {
  /** `options.apiEndpoint` is Graph's base without `/v1.0`, e.g. https://graph.microsoft.com. */
  constructor(options: ClientOptions) {
    super(options, GRAPH_API);
  }
}
