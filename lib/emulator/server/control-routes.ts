/**
 * `/_emulator/...`: counters, recent requests and every test lever over HTTP, for tests that drive
 * the emulator from another process (the `Start-PartnerEmulator` command).
 *
 * Every one of them needs the emulator's control key in the `x-emulator-key` header: they mint
 * refresh tokens and register certificates, and any local process (another user's included) can
 * reach 127.0.0.1. The key is made at each start and printed as `controlKey` on the first line.
 */
import { BadRequestError } from './bad-request.js';
import { secretsEqual } from '../entra/client-authentication.js';
import { applySettings, counters, issueRefreshToken, resetCounters } from './emulator-control.js';
import type { EmulatorState } from './emulator-state.js';
import type { FaultScript } from './fault-types.js';
import { header, jsonReply, readJsonObject, type Exchange, type Reply } from './http-exchange.js';
import type { LiveSettings } from '../types.js';
import { oauthShapedErrors } from '../entra/service.js';
import { ANONYMOUS, type Service } from './service.js';

type ControlHandler = (state: EmulatorState, exchange: Exchange) => Reply | Promise<Reply>;

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new BadRequestError(`${name} must be a string`);
  return value;
}

export const CONTROL_KEY_HEADER = 'x-emulator-key';

/**
 * The refusal of a control request without the right key (401 when it has none, 403 when it is
 * wrong), or undefined when the key is right. The body says where the key is, never what it is.
 */
export function controlKeyRefusal(state: EmulatorState, exchange: Exchange): Reply | undefined {
  const given = header(exchange, CONTROL_KEY_HEADER);
  if (given !== undefined && secretsEqual(given, state.controlKey)) return undefined;
  const where =
    'the controlKey on the first line Start-PartnerEmulator printed (StartedEmulator.controlKey ' +
    'in code)';
  return given === undefined
    ? jsonReply(401, {
        error: 'unauthorized',
        error_description: `The emulator's control routes need the ${CONTROL_KEY_HEADER} header: ${where}.`,
      })
    : jsonReply(403, {
        error: 'forbidden',
        error_description: `The ${CONTROL_KEY_HEADER} header does not match this emulator's key: ${where}.`,
      });
}

const ok = (body: Record<string, unknown> = {}) => jsonReply(200, { ok: true, ...body });

export const controlRoutes: Record<string, ControlHandler> = {
  'GET /_emulator/counters': (state) => jsonReply(200, counters(state)),
  'POST /_emulator/counters/reset': (state) => {
    resetCounters(state);
    return ok();
  },
  'GET /_emulator/requests': (state, exchange) => {
    const limit = Number(exchange.query.get('limit') ?? 100);
    return jsonReply(200, state.recorder.recentRequests(Number.isFinite(limit) ? limit : 100));
  },
  'POST /_emulator/configure': async (state, exchange) => {
    const { pageLatencyMs, ...changes } = (await readJsonObject(exchange.req)) as LiveSettings & {
      pageLatencyMs?: number;
    };
    // The name apiLatencyMs had before it applied to every API response, still accepted here.
    if (pageLatencyMs !== undefined && changes.apiLatencyMs === undefined)
      changes.apiLatencyMs = pageLatencyMs;
    applySettings(state.settings, state.gateway, changes);
    return ok();
  },
  'POST /_emulator/devicecode/approve': async (state, exchange) => {
    const body = await readJsonObject(exchange.req);
    return ok({ approved: state.deviceCodes.settle('approved', optionalString(body, 'userCode')) });
  },
  'POST /_emulator/devicecode/decline': async (state, exchange) => {
    const body = await readJsonObject(exchange.req);
    return ok({ declined: state.deviceCodes.settle('declined', optionalString(body, 'userCode')) });
  },
  'POST /_emulator/refresh-tokens': async (state, exchange) => {
    const body = await readJsonObject(exchange.req);
    const lifetimeSeconds = body.lifetimeSeconds;
    if (lifetimeSeconds !== undefined && typeof lifetimeSeconds !== 'number')
      throw new BadRequestError('lifetimeSeconds must be a number');
    return ok({
      refreshToken: issueRefreshToken(state, {
        mfaRequired: body.mfaRequired === true,
        lifetimeSeconds,
      }),
    });
  },
  'POST /_emulator/refresh-tokens/revoke': async (state, exchange) => {
    const body = await readJsonObject(exchange.req);
    return ok({ revoked: state.refreshTokens.revoke(optionalString(body, 'refreshToken')) });
  },
  'POST /_emulator/access-tokens/revoke': (state) => {
    state.accessTokens.revokeAll();
    return ok();
  },
  'POST /_emulator/continuation-tokens/invalidate': (state) => {
    state.continuation.invalidateAll();
    return ok();
  },
  /**
   * Certificate sign-in by hand: an empty body makes a certificate and answers where its PEM
   * (certificate and key) is; `{"certificatePem": "..."}` registers one of the caller's own.
   */
  'POST /_emulator/client-certificates': async (state, exchange) => {
    const certificatePem = optionalString(await readJsonObject(exchange.req), 'certificatePem');
    if (certificatePem === undefined) {
      const created = await state.clientCertificates.create();
      return ok({ certificatePath: created.certificatePath, thumbprint: created.thumbprint });
    }
    let thumbprint: string;
    try {
      thumbprint = state.clientCertificates.register(certificatePem);
    } catch {
      throw new BadRequestError('certificatePem must be a PEM certificate');
    }
    return ok({ thumbprint });
  },
  'POST /_emulator/store/reset': (state) => {
    state.store.reset();
    return ok();
  },
  'GET /_emulator/faults': (state) => jsonReply(200, state.faults.script),
  'POST /_emulator/faults': async (state, exchange) => {
    state.faults.set((await readJsonObject(exchange.req)) as FaultScript);
    return ok();
  },
  'DELETE /_emulator/faults': (state) => {
    state.faults.set({});
    return ok();
  },
};

/**
 * The emulator's own levers as a service: the control key instead of a token, the OAuth error
 * shape they have always answered in, never counted, recorded, rate-limited or slowed, so that
 * driving a test does not change what the test measures.
 */
export const controlService: Service = {
  name: 'emulator control',
  gateway: false,
  recorded: false,
  authenticate(state, exchange) {
    const refusal = controlKeyRefusal(state, exchange);
    return refusal ? { ok: false, reply: refusal } : { ok: true, caller: ANONYMOUS };
  },
  errors: () => oauthShapedErrors,
};
