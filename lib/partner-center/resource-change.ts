/**
 * Changing one resource the way Partner Center asks (docs/partner-center-api.md, "Changing a
 * subscription"): the whole resource as JSON, its etag in `If-Match`, one MS-RequestId for the
 * change (the caller's, when it recorded one before sending: resume after a kill), repeated by the
 * pipeline's retry step with that same id, and a 202 followed until the resource answers 200.
 * Imported only by the commands that write.
 */
import type { ExchangeAnswer, HttpClient } from './client.js';
import { followOperation, type OperationProgress } from './long-operation.js';

export interface ResourceChange {
  /** `PATCH` (the default), `PUT`, `POST`. */
  method?: string;
  /** The whole resource as it should be. */
  resource: unknown;
  /** The etag it had when read (etagOf); sent as If-Match. */
  etag?: string;
  /** The change's MS-RequestId; default a new one. */
  requestId?: string;
  signal?: AbortSignal;
  /** Told before each wait when the service answered 202. */
  onProgress?: (progress: OperationProgress) => void;
  /** Give up waiting for a 202's end after this long. Default 30 minutes. */
  timeoutMs?: number;
}

export interface ChangedResource<T> {
  /** The resource as the service answered after the change. */
  resource: T | undefined;
  /** Its new etag (etagOf of the answer). */
  etag?: string;
  /** The MS-RequestId the change was sent with. */
  requestId: string;
  /** The service answered 202 and the change was followed to its end. */
  followed: boolean;
}

export async function changeResource<T>(
  client: HttpClient,
  path: string,
  change: ResourceChange,
): Promise<ChangedResource<T>> {
  const sent = await client.exchange<T>(path, {
    method: change.method ?? 'PATCH',
    json: change.resource,
    ifMatch: change.etag,
    requestId: change.requestId,
    signal: change.signal,
  });
  const final: ExchangeAnswer<T> =
    sent.status === 202
      ? // Without a Location the resource changed is the one to read until it is done.
        await followOperation<T>(
          client,
          { ...sent, location: sent.location ?? client.resolve(path) },
          {
            signal: change.signal,
            onProgress: change.onProgress,
            timeoutMs: change.timeoutMs,
            what: `the change of ${path}`,
          },
        )
      : sent;
  return {
    resource: final.value,
    etag: etagOf(final),
    requestId: sent.requestId,
    followed: sent.status === 202,
  };
}

/**
 * A resource's etag: the answer's ETag header, else the one Partner Center keeps in the body
 * (`attributes.etag`; `Etag` in older examples).
 */
export function etagOf(
  answer: Pick<ExchangeAnswer<unknown>, 'etag' | 'value'>,
): string | undefined {
  if (answer.etag) return answer.etag;
  const attributes = (answer.value as { attributes?: Record<string, unknown> } | undefined)
    ?.attributes;
  const value = attributes?.etag ?? attributes?.Etag;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
