/**
 * Continuation tokens: opaque to clients, tamper-evident to us. A token carries where the next page
 * starts and what the listing was (size, filter, which collection), signed with an HMAC key that
 * lives only as long as the emulator, so a forged, edited, foreign or invalidated token is refused,
 * never misread.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CustomerFilter } from './customer-filter.js';

export interface ListingCursor<Filter = CustomerFilter> {
  /** Index in the collection where the next page's scan starts. */
  offset: number;
  size: number;
  filter: Filter | null;
}

interface TokenPayload {
  o: number;
  s: number;
  f: unknown;
  /**
   * The collection the token pages through (e.g. one customer's users); absent for the customer
   * list, so its tokens keep their shape.
   */
  c?: string;
  /** Generation: bumping it invalidates every token issued before. */
  g: number;
  /** Issued at, seconds since the epoch. */
  t: number;
}

export type DecodeResult<Filter = CustomerFilter> =
  | { ok: true; cursor: ListingCursor<Filter> }
  | { ok: false; reason: string };

const MAC_BYTES = 18;

export class ContinuationTokenCodec {
  private readonly key = randomBytes(32);
  private generation = 0;

  constructor(private lifetimeSeconds: number) {}

  /**
   * Every token issued so far stops working (a fault the client must survive by restarting or
   * reporting).
   */
  invalidateAll(): void {
    this.generation++;
  }

  /** `scope` names the collection; a token is only accepted back by the same one. */
  encode<Filter>(cursor: ListingCursor<Filter>, nowMs: number, scope?: string): string {
    const payload: TokenPayload = {
      o: cursor.offset,
      s: cursor.size,
      f: cursor.filter,
      ...(scope === undefined ? {} : { c: scope }),
      g: this.generation,
      t: Math.floor(nowMs / 1000),
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  decode<Filter = CustomerFilter>(
    token: string,
    nowMs: number,
    scope?: string,
  ): DecodeResult<Filter> {
    const dot = token.indexOf('.');
    if (dot <= 0) return { ok: false, reason: 'the token is malformed' };
    const body = token.slice(0, dot);
    // Compared as text: base64url decoding ignores trailing characters, which would let an edited
    // token through.
    const given = Buffer.from(token.slice(dot + 1), 'utf8');
    const expected = Buffer.from(this.mac(body), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, reason: 'the token was not issued by this service' };
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
    if (payload.c !== scope)
      return { ok: false, reason: 'the token belongs to another listing; start this one again' };
    if (payload.g !== this.generation)
      return { ok: false, reason: 'the token is no longer valid; start the listing again' };
    if (nowMs / 1000 - payload.t > this.lifetimeSeconds)
      return { ok: false, reason: 'the token has expired; start the listing again' };
    // The MAC and the scope vouch for the filter: this service wrote it for this very collection.
    const filter = payload.f as Filter | null;
    return { ok: true, cursor: { offset: payload.o, size: payload.s, filter } };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key)
      .update(body)
      .digest()
      .subarray(0, MAC_BYTES)
      .toString('base64url');
  }
}
