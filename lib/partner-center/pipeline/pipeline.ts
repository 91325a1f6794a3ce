/**
 * The client's pipeline: a request passes through small named steps in a fixed order, each doing
 * one thing and handing on to the next, and the last step (the transport) does the exchange. The
 * shape is the Azure SDK's core-rest-pipeline (a policy is `sendRequest(request, next)`), kept
 * small: the order is fixed in steps.ts and built once per client, so a call costs one closure
 * call per step. What differs between the services a step talks to is the dialect's
 * (service-dialect.ts), not the step's.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { DecodedBody } from '../../json/collection-scanner.js';
import type { ContinuationTokenSource } from '../service-errors.js';

/** One logical call as it travels down the steps; a step may change it for the steps below. */
export interface PipelineRequest {
  method: string;
  url: URL;
  /** Without Authorization (the authentication step adds it) or Content-Length (the transport). */
  headers: Record<string, string>;
  /** The request body's bytes (JSON, already serialised): the same bytes on every attempt. */
  body?: Buffer;
  /**
   * The call's id (MS-RequestId, Graph's client-request-id): the same on every attempt. A caller
   * that must repeat a write after a kill gives the id it recorded (the service's idempotency key).
   */
  requestId: string;
  /**
   * Sending it again after it may have reached the service is harmless: a read, or a write the
   * service makes idempotent by its request id. Anything else is sent again only when the answer
   * says the service did not act on it (429).
   */
  repeatable: boolean;
  /** How a 2xx body is read: decoded as JSON (or a page) by the decoding step, or streamed. */
  decode?: (body: Buffer) => DecodedBody;
  stream?: boolean;
  /** Set when the headers carry an MS-ContinuationToken (a 400 then means a rejected token). */
  continuationToken?: ContinuationTokenSource;
  signal?: AbortSignal;
  /** The send number within the call (1 for the first), for traces; the retry step counts. */
  attempt: number;
}

/** An answer as it travels back up the steps. */
export interface PipelineResponse {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  /** The body read whole (empty when streamed). */
  body: Buffer;
  /** A streamed 2xx body, read at the consumer's pace. */
  stream?: IncomingMessage;
  /** The body's end was marked only by the connection closing. */
  closeDelimited: boolean;
  /** Where the final request went (after redirects). */
  url: URL;
  /** The final request carried our access token. */
  authorized: boolean;
  /** The decoded 2xx body (decoding step). */
  value?: unknown;
}

export type SendRequest = (request: PipelineRequest) => Promise<PipelineResponse>;

/** One step: does its part around the rest of the pipeline (`next`). */
export interface PipelineStep {
  /** Its name in docs/ARCHITECTURE.md and in the pipeline's `steps` list. */
  readonly name: string;
  send(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse>;
}

/** The steps, outermost first, composed once around the transport. */
export function composeSteps(steps: readonly PipelineStep[], transport: SendRequest): SendRequest {
  return steps.reduceRight<SendRequest>(
    (next, step) => (request) => step.send(request, next),
    transport,
  );
}

/** A header's value whatever the case of its name, from a request's plain record. */
export function headerOf(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const key in headers) if (key.toLowerCase() === lower) return headers[key];
  return undefined;
}
