/**
 * The levers a test pulls, shared by the `RunningEmulator` methods and the `/_emulator/` routes so
 * both do exactly the same thing.
 */
import { BadRequestError } from './bad-request.js';
import type { EmulatorSettings, EmulatorState } from './emulator-state.js';
import type { GatewayRateLimit } from './gateway-rate-limit.js';
import {
  NEXT_LINK_FORMS,
  type EmulatorCounters,
  type LiveSettings,
  type TokenFlow,
} from '../types.js';

const TOKEN_FLOWS: readonly TokenFlow[] = [
  'clientCredentials',
  'clientAssertion',
  'deviceCode',
  'authorizationCode',
  'refreshToken',
  'password',
  'managedIdentity',
];

export function counters(state: EmulatorState): EmulatorCounters {
  return {
    requests: state.recorder.requestsByRoute(),
    tokensIssued: state.accessTokens.tokensIssued,
    faultsInjected: state.faults.injected,
    api: state.gateway.counters(),
  };
}

export function resetCounters(state: EmulatorState): void {
  state.recorder.reset();
  state.accessTokens.resetCount();
  state.faults.resetCount();
  state.gateway.resetCounters();
}

function checkSeconds(
  name: string,
  value: unknown,
  options: { allowNegative?: boolean } = {},
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (!options.allowNegative && value < 0))
    throw new BadRequestError(
      `${name} must be a ${options.allowNegative ? '' : 'non-negative '}number`,
    );
  return value;
}

/**
 * Validates and applies settings; throws BadRequestError naming the bad one (the control route answers
 * 400). A new rate limit reaches the gateway at once, keeping what its buckets hold.
 */
export function applySettings(
  settings: EmulatorSettings,
  gateway: GatewayRateLimit,
  changes: LiveSettings,
): void {
  const next = { ...settings, tokenLifetimes: { ...settings.tokenLifetimes } };
  if (changes.nextLinkForm !== undefined) {
    if (!(NEXT_LINK_FORMS as readonly string[]).includes(changes.nextLinkForm))
      throw new BadRequestError(`nextLinkForm must be one of ${NEXT_LINK_FORMS.join(', ')}`);
    next.nextLinkForm = changes.nextLinkForm;
  }
  if (changes.bom !== undefined) next.bom = Boolean(changes.bom);
  if (changes.apiLatencyMs !== undefined)
    next.apiLatencyMs = checkSeconds('apiLatencyMs', changes.apiLatencyMs);
  if (changes.rateLimitPerMinute !== undefined)
    next.rateLimitPerMinute = checkSeconds('rateLimitPerMinute', changes.rateLimitPerMinute);
  if (changes.accessTokenLifetimeSeconds !== undefined)
    next.accessTokenLifetimeSeconds = checkSeconds(
      'accessTokenLifetimeSeconds',
      changes.accessTokenLifetimeSeconds,
      { allowNegative: true },
    );
  if (changes.refreshTokenLifetimeSeconds !== undefined)
    next.refreshTokenLifetimeSeconds = checkSeconds(
      'refreshTokenLifetimeSeconds',
      changes.refreshTokenLifetimeSeconds,
      { allowNegative: true },
    );
  if (changes.deviceCodeIntervalSeconds !== undefined)
    next.deviceCodeIntervalSeconds = checkSeconds(
      'deviceCodeIntervalSeconds',
      changes.deviceCodeIntervalSeconds,
    );
  if (changes.autoApproveDeviceCode !== undefined)
    next.autoApproveDeviceCode = Boolean(changes.autoApproveDeviceCode);
  if (changes.autoApproveAuthorization !== undefined)
    next.autoApproveAuthorization = Boolean(changes.autoApproveAuthorization);
  if (changes.sasLifetimeSeconds !== undefined)
    next.sasLifetimeSeconds = checkSeconds('sasLifetimeSeconds', changes.sasLifetimeSeconds, {
      allowNegative: true,
    });
  if (changes.exportRetryAfterSeconds !== undefined)
    next.exportRetryAfterSeconds = Math.ceil(
      checkSeconds('exportRetryAfterSeconds', changes.exportRetryAfterSeconds),
    );
  if (changes.billingLinesPerBlob !== undefined) {
    const lines = changes.billingLinesPerBlob;
    if (!Number.isInteger(lines) || lines < 0)
      throw new BadRequestError('billingLinesPerBlob must be an integer from 0');
    next.billingLinesPerBlob = lines;
  }
  if (changes.billingDataVersion !== undefined) {
    const version = changes.billingDataVersion;
    if (!Number.isInteger(version) || version < 1)
      throw new BadRequestError('billingDataVersion must be an integer from 1');
    next.billingDataVersion = version;
  }
  for (const [flow, seconds] of Object.entries(changes.tokenLifetimes ?? {})) {
    if (!TOKEN_FLOWS.includes(flow as TokenFlow))
      throw new BadRequestError(
        `tokenLifetimes.${flow}: unknown flow; one of ${TOKEN_FLOWS.join(', ')}`,
      );
    next.tokenLifetimes[flow as TokenFlow] = checkSeconds(`tokenLifetimes.${flow}`, seconds, {
      allowNegative: true,
    });
  }
  Object.assign(settings, next);
  if (changes.rateLimitPerMinute !== undefined)
    gateway.setSetting(settings.rateLimitPerMinute, Date.now());
}

export function issueRefreshToken(
  state: EmulatorState,
  options: { mfaRequired?: boolean; lifetimeSeconds?: number; scopes?: readonly string[] } = {},
): string {
  const lifetime = options.lifetimeSeconds ?? state.settings.refreshTokenLifetimeSeconds;
  const scopes = options.scopes ?? [
    'https://api.partnercenter.microsoft.com/user_impersonation',
    'openid',
    'profile',
    'offline_access',
  ];
  return state.refreshTokens.issue(
    { clientId: state.directory.applicationId, tenantId: state.directory.tenantId, scopes },
    Date.now(),
    lifetime,
    { mfaRequired: options.mfaRequired },
  );
}
