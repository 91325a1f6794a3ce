/**
 * What writes changed, over the data the seed derives. The seed still answers every read; a
 * resource a write changed is answered from here instead, by every later read of it (the one
 * resource, its collection, what is derived from it), until `reset()` puts the seeded world back.
 * Nothing is copied until it is written, so a million seeded customers still cost nothing.
 *
 * Four things live here because every write needs them, whatever the resource:
 * - the changed resources, by customer and key (`customers/{id}/subscriptions/{sid}`);
 * - a version counter for etags: it never goes back, not even on reset, so an etag once handed
 *   out is never valid again for a different state;
 * - the idempotency record: the first final answer to each request id (Partner Center's
 *   `MS-RequestId`), replayed to a repeat of that id without running it again;
 * - the journal: one entry per applied change, before and after, with the request's ids: what
 *   the audit records of the activity log are made from.
 */
import type { Reply } from './http-exchange.js';
import type { Caller } from './service.js';

/** One applied change, in the order changes were made. */
export interface ChangeRecord {
  /** 1, 2, 3...: the order of changes (reset does not restart it). */
  readonly sequence: number;
  readonly at: number;
  /** The resource's key in the store, e.g. `customers/{id}/subscriptions/{sid}`. */
  readonly key: string;
  /** What changed: the audit log's `resourceType` (e.g. `subscription`). */
  readonly resourceType: string;
  /** The audit log's `operationType` (e.g. `update_subscription`). */
  readonly operationType: string;
  readonly customerId: string;
  readonly before: Readonly<Record<string, unknown>>;
  readonly after: Readonly<Record<string, unknown>>;
  readonly requestId?: string;
  readonly correlationId?: string;
  /** Who made the change (the token's user or application): the audit record's author. */
  readonly caller?: Caller;
}

/** How many answers the idempotency record keeps; the oldest go first. */
const MAX_RECORDED_ANSWERS = 100_000;

/** Answers that end a request: a repeat gets the same. A 401, a 429 or a 5xx may be tried again. */
function isFinal(reply: Reply): boolean {
  return reply.status < 500 && reply.status !== 429 && reply.status !== 401;
}

function copyOf(reply: Reply): Reply {
  return { status: reply.status, headers: { ...reply.headers }, body: reply.body };
}

/** How many etag versions the seeded data uses (a seeded resource's etag is one of them). */
export const SEEDED_VERSIONS = 5;

export class ChangeStore {
  /** Changed resources by customer (the scope every Partner Center resource lives in), then key. */
  private readonly resources = new Map<string, Map<string, Readonly<Record<string, unknown>>>>();
  private readonly answers = new Map<string, Promise<Reply | undefined>>();
  private readonly records: ChangeRecord[] = [];
  /**
   * Seeded resources carry versions 1 to SEEDED_VERSIONS; written ones count on from above them, so a
   * write never hands back an etag a client may still hold from the seed.
   */
  private version = SEEDED_VERSIONS;
  private sequence = 0;

  /** The customer's changed resources by key, or undefined while the seed answers all of them. */
  changesOf(
    customerId: string,
  ): ReadonlyMap<string, Readonly<Record<string, unknown>>> | undefined {
    return this.resources.size === 0 ? undefined : this.resources.get(customerId.toLowerCase());
  }

  /** A version no etag had before: etags change on each write and never come back. */
  nextVersion(): number {
    this.version += 1;
    return this.version;
  }

  /** Stores the resource's new state and journals the change. */
  put(change: Omit<ChangeRecord, 'sequence'>): ChangeRecord {
    const scope = change.customerId.toLowerCase();
    const changes = this.resources.get(scope) ?? new Map();
    this.resources.set(scope, changes);
    changes.set(change.key, Object.freeze({ ...change.after }));
    this.sequence += 1;
    const record: ChangeRecord = Object.freeze({ ...change, sequence: this.sequence });
    this.records.push(record);
    return record;
  }

  /** Every change since the last reset, oldest first. */
  get journal(): readonly ChangeRecord[] {
    return this.records;
  }

  /**
   * Runs a write once per request id: a repeat of an id whose first answer was final gets that
   * answer again (a copy) and changes nothing; a repeat that arrives while the first is still
   * running waits for it. An answer that was not final (5xx, 429, 401) is forgotten, so the
   * repeat runs.
   */
  async once(requestId: string, run: () => Promise<Reply>): Promise<Reply> {
    for (;;) {
      const earlier = this.answers.get(requestId);
      if (!earlier) break;
      const answer = await earlier;
      if (answer) return copyOf(answer);
      if (this.answers.get(requestId) === earlier) this.answers.delete(requestId);
    }
    let settle: (answer: Reply | undefined) => void = () => {};
    const pending = new Promise<Reply | undefined>((resolve) => {
      settle = resolve;
    });
    this.answers.set(requestId, pending);
    if (this.answers.size > MAX_RECORDED_ANSWERS) {
      const oldest = this.answers.keys().next().value;
      if (oldest !== undefined) this.answers.delete(oldest);
    }
    let reply: Reply | undefined;
    try {
      reply = await run();
      return reply;
    } finally {
      const kept = reply && isFinal(reply) ? copyOf(reply) : undefined;
      if (!kept && this.answers.get(requestId) === pending) this.answers.delete(requestId);
      settle(kept);
    }
  }

  /** Back to the seeded data: changes, journal and idempotency record forgotten. */
  reset(): void {
    this.resources.clear();
    this.answers.clear();
    this.records.length = 0;
  }
}
