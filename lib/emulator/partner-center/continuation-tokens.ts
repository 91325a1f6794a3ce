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
/**
 * Tokens issued lately, kept with their payload: a listing sends back the token of the page
 * before, so most decodes find theirs here and skip the MAC, the base64 and the JSON (their
 * share of a one-customer page was several percent). A token found here is one this codec wrote,
 * exactly as the MAC would prove; generation, scope and age are checked as for any other.
 */
const RECENT_TOKENS = 64;

export class ContinuationTokenCodec {
  private readonly key = randomBytes(32);
  private generation = 0;
  private readonly recent = new Map<string, TokenPayload>();

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
    const token = `${body}.${this.mac(body)}`;
    if (this.recent.size >= RECENT_TOKENS)
      this.recent.delete(this.recent.keys().next().value as string);
    this.recent.set(token, payload);
    return token;
  }

  decode<Filter = CustomerFilter>(
    token: string,
    nowMs: number,
    scope?: string,
  ): DecodeResult<Filter> {
    const payload = this.recent.get(token) ?? this.verified(token);
    if (!payload) return { ok: false, reason: 'the token was not issued by this service' };
    if (payload === 'malformed') return { ok: false, reason: 'the token is malformed' };
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

  /** The payload of a token this codec wrote (its MAC checked), or why it is refused. */
  private verified(token: string): TokenPayload | 'malformed' | undefined {
    const dot = token.indexOf('.');
    if (dot <= 0) return 'malformed';
    const body = token.slice(0, dot);
    // Compared as text: base64url decoding ignores trailing characters, which would let an edited
    // token through.
    const given = Buffer.from(token.slice(dot + 1), 'utf8');
    const expected = Buffer.from(this.mac(body), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key)
      .update(body)
      .digest()
      .subarray(0, MAC_BYTES)
      .toString('base64url');
  }
}
