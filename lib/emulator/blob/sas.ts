/**
 * Shared access signatures of the emulated blob store: a directory SAS (`sr=d`, read and list)
 * like the ones the billing manifests carry, signed with a key made at each start. A SAS is
 * refused once its expiry (`se`) has passed, or when every SAS issued so far was expired at once
 * (the `expire-sas` fault): both answer 403 AuthenticationFailed with the time-frame detail the
 * service writes. How long a real one lasts is not documented; the emulator's default follows the
 * 12 hours of Microsoft's example (docs/billing.md).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BLOB_SERVICE_VERSION, blobErrors, type BlobError } from './blob-errors.js';

/** How far back a revoked generation is still recognised (to say "expired", not "forged"). */
const GENERATIONS_KEPT = 64;

const utc = (iso: string) => new Date(iso).toUTCString();
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class SasAuthority {
  private readonly key = randomBytes(32);
  private generation = 0;

  private sign(directory: string, start: string, expiry: string, generation: number): string {
    return createHmac('sha256', this.key)
      .update(`${generation}\n${directory}\n${start}\n${expiry}\nrl`)
      .digest('base64');
  }

  /** A SAS for everything under `directory` (a path), valid from now for `lifetimeSeconds`. */
  issue(directory: string, nowMs: number, lifetimeSeconds: number): string {
    const start = isoSeconds(nowMs - 5 * 60_000);
    const expiry = isoSeconds(nowMs + lifetimeSeconds * 1000);
    const depth = directory.split('/').filter(Boolean).length - 2;
    const params = new URLSearchParams({
      sv: BLOB_SERVICE_VERSION,
      st: start,
      se: expiry,
      sr: 'd',
      sp: 'rl',
      sdd: String(Math.max(0, depth)),
      sig: this.sign(directory, start, expiry, this.generation),
    });
    return params.toString();
  }

  /** Every SAS issued so far stops working (answered as expired). */
  expireAll(): void {
    this.generation++;
  }

  /** Undefined when the SAS grants reading `blobPath` now, else the blob service's refusal. */
  check(
    blobPath: string,
    param: (name: string) => string | null,
    nowMs: number,
  ): BlobError | undefined {
    const sig = param('sig');
    const start = param('st') ?? '';
    const expiry = param('se');
    if (!sig) return blobErrors.noAuthentication();
    if (!expiry || param('sp')?.includes('r') !== true)
      return blobErrors.authenticationFailed('Signature fields not well formed.');
    const directory = blobPath.slice(0, blobPath.lastIndexOf('/'));
    const frame = () =>
      blobErrors.authenticationFailed(
        `Signature not valid in the specified time frame: Start [${utc(start)}] - ` +
          `Expiry [${utc(expiry)}] - Current [${new Date(nowMs).toUTCString()}]`,
      );
    // A SAS for a parent directory also covers what lies below it.
    for (
      let scope = directory;
      scope.split('/').length > 2;
      scope = scope.slice(0, scope.lastIndexOf('/'))
    ) {
      for (
        let generation = this.generation;
        generation >= Math.max(0, this.generation - GENERATIONS_KEPT);
        generation--
      ) {
        if (!equal(sig, this.sign(scope, start, expiry, generation))) continue;
        if (generation !== this.generation) return frame();
        const expiresAt = Date.parse(expiry);
        if (!(expiresAt > nowMs) || Date.parse(start) > nowMs) return frame();
        return undefined;
      }
    }
    return blobErrors.authenticationFailed(
      'Signature did not match. String to sign used was r (the emulator does not show its own).',
    );
  }
}

function equal(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
