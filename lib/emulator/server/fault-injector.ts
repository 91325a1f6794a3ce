/**
 * Decides, request by request, which scripted faults fire (see fault-types.ts). Side effects
 * (revoking tokens, invalidating continuation tokens) happen here; what reaches the wire (a
 * replacement reply, a delay, a broken connection) is returned for the server to carry out.
 */
import { BadRequestError } from './bad-request.js';
import { entraError } from '../entra/entra-errors.js';
import type { FaultAction, FaultRule, FaultScript, FaultTarget } from './fault-types.js';
import type { GatewayRateLimit } from './gateway-rate-limit.js';
import { jsonReply, type Reply } from './http-exchange.js';
import { pcErrors } from '../partner-center/partner-center-errors.js';

export type CountedTarget = Exclude<FaultTarget, 'any'>;
export type ResetPoint = Extract<FaultAction, { type: 'reset' }>['when'];
export type ExportFault = Extract<FaultAction, { type: 'export' }>;

export interface FaultDecision {
  delayMs: number;
  /** Hold the second half of the body this long (see the `stall` action). */
  stallMs?: number;
  /** Sent instead of what the route would have answered. */
  reply?: Reply;
  reset?: ResetPoint;
  /** Serve the request, then break the connection before answering (`apply-then-drop`). */
  dropAfterServing?: boolean;
  /** Send the first half of the body as the whole answer (see the `truncate` action). */
  truncate?: boolean;
  /** How the export this request starts behaves (the route carries it out). */
  exportOutcome?: ExportFault;
}

export interface FaultEffects {
  expireAccessTokens(): void;
  revokeRefreshTokens(): void;
  invalidateContinuationTokens(): void;
  expireBlobSignatures(): void;
}

const RESET_POINTS: readonly ResetPoint[] = ['before-headers', 'before-body', 'mid-body'];
const TARGETS: readonly FaultTarget[] = ['api', 'token', 'export', 'operation', 'blob', 'any'];
const EXPORT_OUTCOMES: readonly ExportFault['outcome'][] = ['running', 'failed', 'slow'];
const RATE_LIMIT_TARGETS: readonly FaultTarget[] = ['api', 'token', 'any'];

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

function isNonNegativeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function validateAction(action: FaultAction | undefined, where: string): void {
  if (!action || typeof action !== 'object')
    throw new BadRequestError(`${where}: action is required`);
  switch (action.type) {
    case 'status':
      if (!Number.isInteger(action.status) || action.status < 400 || action.status > 599)
        throw new BadRequestError(`${where}: status must be 400..599`);
      if (action.retryAfterSeconds !== undefined && !isNonNegativeNumber(action.retryAfterSeconds))
        throw new BadRequestError(`${where}: retryAfterSeconds must be >= 0`);
      return;
    case 'throttle':
      if (action.retryAfterSeconds !== undefined && !isNonNegativeNumber(action.retryAfterSeconds))
        throw new BadRequestError(`${where}: retryAfterSeconds must be >= 0`);
      return;
    case 'reset':
      if (!RESET_POINTS.includes(action.when))
        throw new BadRequestError(`${where}: when must be one of ${RESET_POINTS.join(', ')}`);
      return;
    case 'delay':
    case 'stall':
      if (!isNonNegativeNumber(action.ms)) throw new BadRequestError(`${where}: ms must be >= 0`);
      return;
    case 'expire-tokens':
    case 'revoke-refresh-tokens':
    case 'invalidate-continuation-tokens':
    case 'truncate':
    case 'expire-sas':
    case 'apply-then-drop':
      return;
    case 'export':
      if (!EXPORT_OUTCOMES.includes(action.outcome))
        throw new BadRequestError(`${where}: outcome must be one of ${EXPORT_OUTCOMES.join(', ')}`);
      if (action.seconds !== undefined && !isNonNegativeNumber(action.seconds))
        throw new BadRequestError(`${where}: seconds must be >= 0`);
      if (action.polls !== undefined && !(Number.isInteger(action.polls) && action.polls >= 0))
        throw new BadRequestError(`${where}: polls must be an integer >= 0`);
      return;
    default:
      throw new BadRequestError(
        `${where}: unknown action type '${String((action as { type?: unknown }).type)}'`,
      );
  }
}

/**
 * Throws a BadRequestError naming the first thing wrong with a script (the control route turns it into a
 * 400).
 */
export function validateFaultScript(script: FaultScript): void {
  if (typeof script !== 'object' || script === null)
    throw new BadRequestError('faults: expected an object');
  (script.rules ?? []).forEach((rule, n) => {
    const where = `faults.rules[${n}]`;
    if (rule.target !== undefined && !TARGETS.includes(rule.target))
      throw new BadRequestError(`${where}: target must be one of ${TARGETS.join(', ')}`);
    const triggers = [rule.at, rule.after, rule.every].filter((trigger) => trigger !== undefined);
    if (triggers.length !== 1)
      throw new BadRequestError(`${where}: give exactly one of at, after, every`);
    if (rule.at !== undefined && !isPositiveInteger(rule.at))
      throw new BadRequestError(`${where}: at must be an integer >= 1`);
    if (rule.every !== undefined && !isPositiveInteger(rule.every))
      throw new BadRequestError(`${where}: every must be an integer >= 1`);
    if (rule.after !== undefined && !(Number.isInteger(rule.after) && rule.after >= 0))
      throw new BadRequestError(`${where}: after must be an integer >= 0`);
    if (rule.times !== undefined && !isPositiveInteger(rule.times))
      throw new BadRequestError(`${where}: times must be an integer >= 1`);
    validateAction(rule.action, where);
  });
  const limit = script.rateLimit;
  if (limit !== undefined) {
    if (!isPositiveInteger(limit.requests))
      throw new BadRequestError('faults.rateLimit.requests must be an integer >= 1');
    if (
      limit.windowSeconds !== undefined &&
      !(isNonNegativeNumber(limit.windowSeconds) && limit.windowSeconds > 0)
    )
      throw new BadRequestError('faults.rateLimit.windowSeconds must be > 0');
    if (limit.target !== undefined && !RATE_LIMIT_TARGETS.includes(limit.target))
      throw new BadRequestError(
        `faults.rateLimit.target must be one of ${RATE_LIMIT_TARGETS.join(', ')}`,
      );
  }
}

/** The gateway's 429: its `{statusCode, message}` body and Retry-After in whole seconds. */
export function throttleReply(retryAfterSeconds: number): Reply {
  const seconds = Math.max(0, Math.ceil(retryAfterSeconds));
  return jsonReply(
    429,
    { statusCode: 429, message: `Rate limit is exceeded. Try again in ${seconds} seconds.` },
    { headers: { 'Retry-After': String(seconds) } },
  );
}

function statusReply(
  target: CountedTarget,
  status: number,
  retryAfterSeconds: number | undefined,
): Reply {
  if (status === 429) return throttleReply(retryAfterSeconds ?? 1);
  const retryHeaders: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { 'Retry-After': String(Math.ceil(retryAfterSeconds)) };
  if (target === 'token') {
    const failure = entraError(
      status,
      'temporarily_unavailable',
      50196,
      `Injected failure (HTTP ${status}).`,
    );
    return jsonReply(status, failure.body, { headers: retryHeaders });
  }
  const failure = pcErrors.injected(status);
  return jsonReply(status, failure.body, { headers: retryHeaders });
}

interface ArmedRule {
  rule: FaultRule;
  fired: number;
}

export class FaultInjector {
  private rules: ArmedRule[] = [];
  private counts = FaultInjector.zeroCounts();
  private injectedCount = 0;
  private current: FaultScript = {};

  /** `gateway`: the rate limit the script's `rateLimit` is set on (shared with the setting). */
  constructor(
    private readonly effects: FaultEffects,
    private readonly gateway: GatewayRateLimit,
  ) {}

  private static zeroCounts(): Record<FaultTarget, number> {
    return { api: 0, token: 0, export: 0, operation: 0, blob: 0, any: 0 };
  }

  get injected(): number {
    return this.injectedCount;
  }

  get script(): FaultScript {
    return this.current;
  }

  resetCount(): void {
    this.injectedCount = 0;
  }

  /** Replaces the script; request counting starts again from zero. */
  set(script: FaultScript): void {
    validateFaultScript(script);
    this.current = structuredClone(script);
    this.rules = (this.current.rules ?? []).map((rule) => ({ rule, fired: 0 }));
    this.gateway.setScript(this.current.rateLimit);
    this.counts = FaultInjector.zeroCounts();
  }

  /**
   * The rules that fire for this request, then the gateway's rate limit (the script's or the
   * setting's) if no rule answered. `tenantKey` is asked only when a rate limit applies (it
   * decodes the caller's token). A 429 of the setting's limit is not a scripted fault and is not
   * counted in `injected`. A request may count under several targets (an export's POST is `api`
   * and `export`); the first is the one whose failure shape an injected status takes.
   */
  decide(
    targets: CountedTarget | readonly CountedTarget[],
    tenantKey: () => string,
    nowMs: number,
  ): FaultDecision | undefined {
    const counted: readonly CountedTarget[] = typeof targets === 'string' ? [targets] : targets;
    const target = counted[0];
    for (const each of counted) this.counts[each]++;
    this.counts.any++;
    const limit = this.gateway.effective;
    if (this.rules.length === 0 && !limit) return undefined;
    const decision: FaultDecision = { delayMs: 0 };
    let fired = false;
    for (const armed of this.rules) {
      const ruleTarget = armed.rule.target ?? 'api';
      if (ruleTarget !== 'any' && !counted.includes(ruleTarget)) continue;
      if (!this.fires(armed, this.counts[ruleTarget])) continue;
      armed.fired++;
      fired = true;
      this.injectedCount++;
      this.apply(armed.rule.action, target, decision);
    }
    // The blob store is not behind Partner Center's gateway: its requests are never rate limited.
    if (!decision.reply && !decision.reset && target !== 'blob') {
      const retryAfterSeconds = this.gateway.admit(
        target === 'token' ? 'token' : 'api',
        tenantKey,
        nowMs,
      );
      if (retryAfterSeconds !== undefined) {
        decision.reply = throttleReply(retryAfterSeconds);
        fired = true;
        if (limit?.source === 'faults') this.injectedCount++;
      }
    }
    return fired ? decision : undefined;
  }

  private fires(armed: ArmedRule, count: number): boolean {
    const { rule } = armed;
    const limit = rule.times ?? (rule.at !== undefined ? 1 : Infinity);
    if (armed.fired >= limit) return false;
    if (rule.at !== undefined) return count === rule.at;
    if (rule.after !== undefined) return count > rule.after;
    return rule.every !== undefined && count % rule.every === 0;
  }

  private apply(action: FaultAction, target: CountedTarget, decision: FaultDecision): void {
    const responds =
      decision.reply !== undefined ||
      decision.reset !== undefined ||
      decision.dropAfterServing === true;
    switch (action.type) {
      case 'status':
        if (!responds)
          decision.reply = statusReply(target, action.status, action.retryAfterSeconds);
        return;
      case 'throttle':
        if (!responds) decision.reply = throttleReply(action.retryAfterSeconds ?? 1);
        return;
      case 'reset':
        if (!responds) decision.reset = action.when;
        return;
      case 'apply-then-drop':
        if (!responds) decision.dropAfterServing = true;
        return;
      case 'delay':
        decision.delayMs += action.ms;
        return;
      case 'stall':
        decision.stallMs = (decision.stallMs ?? 0) + action.ms;
        return;
      case 'expire-tokens':
        this.effects.expireAccessTokens();
        return;
      case 'revoke-refresh-tokens':
        this.effects.revokeRefreshTokens();
        return;
      case 'invalidate-continuation-tokens':
        this.effects.invalidateContinuationTokens();
        return;
      case 'truncate':
        decision.truncate = true;
        return;
      case 'expire-sas':
        this.effects.expireBlobSignatures();
        return;
      case 'export':
        decision.exportOutcome ??= action;
        return;
    }
  }
}
