/**
 * The gateway's rate limit per partner tenant, enforced smoothly as a gateway does: a token bucket
 * per tenant, refilled continuously at the allowed rate and holding at most one second's worth, so
 * a burst cannot spend a minute's allowance at once. A request that finds the bucket empty is
 * answered 429 and is charged all the same, as Partner Center documents ("all requests accrue
 * against the usage limits", so a client that retries at once only waits longer); the debt is
 * bounded at one second's worth, so a client that stops is served again within about two seconds.
 *
 * Two limits may be set: the emulator's setting (`rateLimitPerMinute`, `-RateLimit`, live
 * settings) and the fault script's `rateLimit`. While a script carries one, the script's wins (a
 * test scripted that scenario, and clearing the script brings the setting back); see
 * `GatewayRateLimit.effective`.
 */
import type { RateLimit } from './fault-types.js';

/** A limit as the bucket needs it: a rate, and the requests it applies to. */
export interface BucketLimit {
  requestsPerMinute: number;
  target: 'api' | 'token' | 'any';
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Token buckets keyed by tenant, all at one rate that may change while they run. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private perMs: number;
  private capacity: number;

  constructor(requestsPerMinute: number) {
    this.perMs = requestsPerMinute / 60_000;
    this.capacity = capacityOf(requestsPerMinute);
  }

  /** A new rate keeps every bucket's tokens earned so far (at most the new capacity). */
  setRate(requestsPerMinute: number, nowMs: number): void {
    for (const bucket of this.buckets.values()) this.refill(bucket, nowMs);
    this.perMs = requestsPerMinute / 60_000;
    this.capacity = capacityOf(requestsPerMinute);
    for (const bucket of this.buckets.values())
      bucket.tokens = Math.max(-this.capacity, Math.min(bucket.tokens, this.capacity));
  }

  /**
   * Takes one token for `key`: undefined when the request may pass, else the whole seconds until
   * the next one would (at least 1), for Retry-After; a refused request is charged too.
   */
  take(key: string, nowMs: number): number | undefined {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.capacity, updatedMs: nowMs };
      this.buckets.set(key, bucket);
    }
    this.refill(bucket, nowMs);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    bucket.tokens = Math.max(-this.capacity, bucket.tokens - 1);
    const waitMs = (1 - bucket.tokens) / this.perMs;
    return Math.max(1, Math.ceil(waitMs / 1000));
  }

  private refill(bucket: Bucket, nowMs: number): void {
    const elapsed = Math.max(0, nowMs - bucket.updatedMs);
    bucket.tokens = Math.min(this.capacity, bucket.tokens + elapsed * this.perMs);
    bucket.updatedMs = nowMs;
  }
}

/** One second's worth of requests, and never less than one. */
function capacityOf(requestsPerMinute: number): number {
  return Math.max(1, requestsPerMinute / 60);
}

/** The fault script's `{requests, windowSeconds, target}` as a rate per minute. */
export function scriptLimit(limit: RateLimit): BucketLimit {
  return {
    requestsPerMinute: (limit.requests * 60) / (limit.windowSeconds ?? 60),
    target: limit.target ?? 'api',
  };
}

export interface TenantThrottling {
  /** Partner Center API requests received from this tenant. */
  requests: number;
  /** Of those, how many were answered 429 (by the rate limit or a scripted throttle). */
  throttled: number;
}

/** The emulator's rate limits and what they did. */
export class GatewayRateLimit {
  private settingLimit?: number;
  private settingBuckets?: TokenBuckets;
  private script?: { limit: BucketLimit; buckets: TokenBuckets };
  private readonly tenants = new Map<string, TenantThrottling>();

  /** The setting (`undefined` or 0: none); the buckets keep what they hold across changes. */
  setSetting(requestsPerMinute: number | undefined, nowMs: number): void {
    this.settingLimit = requestsPerMinute || undefined;
    if (this.settingLimit === undefined) this.settingBuckets = undefined;
    else if (this.settingBuckets) this.settingBuckets.setRate(this.settingLimit, nowMs);
    else this.settingBuckets = new TokenBuckets(this.settingLimit);
  }

  /** The fault script's limit; every set starts its buckets full, as the script's counts restart. */
  setScript(limit: RateLimit | undefined): void {
    if (!limit) this.script = undefined;
    else {
      const bucketLimit = scriptLimit(limit);
      this.script = {
        limit: bucketLimit,
        buckets: new TokenBuckets(bucketLimit.requestsPerMinute),
      };
    }
  }

  /** The limit in force: the script's while it has one, else the setting (API requests only). */
  get effective(): (BucketLimit & { source: 'faults' | 'setting' }) | undefined {
    if (this.script) return { ...this.script.limit, source: 'faults' };
    if (this.settingLimit !== undefined)
      return { requestsPerMinute: this.settingLimit, target: 'api', source: 'setting' };
    return undefined;
  }

  /**
   * Admits one request or answers the whole seconds to wait. `tenantKey` is asked only when a limit
   * applies (it decodes the caller's token).
   */
  admit(target: 'api' | 'token', tenantKey: () => string, nowMs: number): number | undefined {
    const limit = this.effective;
    const buckets = this.script?.buckets ?? this.settingBuckets;
    if (!limit || !buckets) return undefined;
    if (limit.target !== 'any' && limit.target !== target) return undefined;
    return buckets.take(tenantKey(), nowMs);
  }

  /** Counts one Partner Center API answer of a tenant. */
  count(tenant: string, status: number): void {
    let counts = this.tenants.get(tenant);
    if (!counts) {
      counts = { requests: 0, throttled: 0 };
      this.tenants.set(tenant, counts);
    }
    counts.requests++;
    if (status === 429) counts.throttled++;
  }

  counters(): { requests: number; throttled: number; tenants: Record<string, TenantThrottling> } {
    let requests = 0;
    let throttled = 0;
    const tenants: Record<string, TenantThrottling> = {};
    for (const [tenant, counts] of this.tenants) {
      requests += counts.requests;
      throttled += counts.throttled;
      tenants[tenant] = { ...counts };
    }
    return { requests, throttled, tenants };
  }

  resetCounters(): void {
    this.tenants.clear();
  }
}
