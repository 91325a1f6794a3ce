/**
 * Tokens of a saved context against the emulator: a token provider shared by many workers, and
 * the token endpoint dropping its answers. Each part keeps its own emulator and hooks, in its own
 * describe.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FaultAction } from '../../lib/emulator/server/fault-types.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { openSession } from '../../lib/session/session.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

/**
 * A context's token provider shared by many workers (the fan-out's customers at once) against the
 * real emulator: a worker whose token was refused gets a renewed one, never the refused one back
 * from a read of the cache that another worker had in flight; and workers refused the same token
 * share one renewal, also when they learn of the refusal one after another.
 */
describe('one token provider shared by many workers', () => {
  let partner: EmulatedPartner;
  const issued = () => partner.emulator.counters().tokensIssued;

  beforeAll(async () => {
    partner = await emulatedPartner({});
  });
  afterAll(() => partner.dispose());

  describe('a refused token, with other callers in flight', () => {
    it('is renewed even when a plain read of the cache is in flight at that moment', async () => {
      const { tokenProvider } = await openSession({ env: partner.env });
      const refused = await tokenProvider.getToken();
      // Another worker starts its call in the same turn as this one learns of the 401.
      const [plain, renewed] = await Promise.all([
        tokenProvider.getToken(),
        tokenProvider.getToken({ forceRefresh: true, refused }),
      ]);
      expect(plain).toBe(refused);
      expect(renewed).not.toBe(refused);
    });

    it('is renewed once for every worker refused it, at once or one after another', async () => {
      const { tokenProvider } = await openSession({ env: partner.env });
      const refused = await tokenProvider.getToken();
      const before = issued();
      const together = await Promise.all(
        Array.from({ length: 8 }, () => tokenProvider.getToken({ forceRefresh: true, refused })),
      );
      const later = await tokenProvider.getToken({ forceRefresh: true, refused });
      expect(new Set([...together, later]).size).toBe(1);
      expect(later).not.toBe(refused);
      expect(issued() - before).toBe(1);
      // The renewed token refused in turn is renewed again.
      const again = await tokenProvider.getToken({ forceRefresh: true, refused: later });
      expect(again).not.toBe(later);
      expect(issued() - before).toBe(2);
    });
  });
});

/**
 * A dropped answer of the token endpoint costs a retry, not the run: the real @azure/identity
 * credentials (client secret, certificate), the refresh-token grant and a context's renewal in the
 * middle of a listing, against the emulator's token endpoint breaking the connection before the
 * headers, before the body, half-way through the body, or stalling past the request timeout.
 * Retries stay within -MaxRetry; when they run out the one error line says the network or Entra ID
 * failed (exit 5), never "check the sign-in parameters".
 */
describe('a token endpoint that drops its answers', () => {
  let partner: EmulatedPartner;
  const TOKEN_POSTS = 'POST /{tenant}/oauth2/v2.0/token';
  const tokenPosts = () => partner.emulator.counters().requests[TOKEN_POSTS] ?? 0;

  beforeAll(async () => {
    partner = await emulatedPartner({}, false);
    // Retry waits of a millisecond: the spec proves what is retried, not how long it waits.
    partner.env.PARTNERCENTER_RETRY_BASE_DELAY_MS = '1';
  });
  afterAll(() => partner.dispose());

  /** Every token request from now on, or only the first, gets `action`. */
  function tokenFault(action: FaultAction, every = false): void {
    partner.emulator.setFaults({
      rules: [{ target: 'token', ...(every ? { after: 0 } : { at: 1 }), action }],
    });
  }

  function connectArgs(name: string, ...more: string[]): string[] {
    return [...partner.connectArgs, '-ContextName', name, ...more];
  }

  const RESETS = ['before-headers', 'before-body', 'mid-body'] as const;

  describe('Connect-Partner when the token endpoint drops its answer once', () => {
    it.each(RESETS)('retries a reset %s (client secret) and connects', async (when) => {
      tokenFault({ type: 'reset', when });
      const before = tokenPosts();
      const connected = await partner.runInProcess(
        'Connect-Partner',
        connectArgs(`reset-${when}`, '-Verbose'),
      );
      expect(connected.code).toBe(0);
      expect(parseNdjson(connected.stdout)[0]).toMatchObject({ name: `reset-${when}` });
      expect(tokenPosts() - before).toBe(2);
      expect(connected.stderr).toMatch(
        /VERBOSE: The token endpoint https:\/\/127\.0\.0\.1:\d+\/[^ ]+\/oauth2\/v2\.0\/token failed \(the connection (was reset|broke)[^)]*\)+: retrying in \d+ ms, attempt 2 of 6\./,
      );
    });

    it('retries a reset with the certificate credential', async () => {
      const certificate = await partner.emulator.createClientCertificate();
      tokenFault({ type: 'reset', when: 'mid-body' });
      const before = tokenPosts();
      const connected = await partner.runInProcess('Connect-Partner', [
        '-ServicePrincipal',
        '-ApplicationId',
        partner.emulator.applicationId,
        ...partner.emulator.connectEndpoints,
        '-CertificatePath',
        certificate.certificatePath,
        '-ContextName',
        'cert-reset',
      ]);
      expect(connected.stderr).toBe('');
      expect(connected.code).toBe(0);
      expect(tokenPosts() - before).toBe(2);
    });

    it('retries the refresh-token grant after a cut answer and a 503 with Retry-After', async () => {
      partner.emulator.setFaults({
        rules: [
          { target: 'token', at: 1, action: { type: 'reset', when: 'before-body' } },
          { target: 'token', at: 2, action: { type: 'status', status: 503, retryAfterSeconds: 0 } },
        ],
      });
      const before = tokenPosts();
      const connected = await partner.runInProcess(
        'Connect-Partner',
        [
          '-RefreshToken',
          '-',
          '-ApplicationId',
          partner.emulator.applicationId,
          ...partner.emulator.connectEndpoints,
          '-ContextName',
          'refresh-reset',
        ],
        `${partner.emulator.issueRefreshToken()}\n`,
      );
      expect(connected.stderr).toBe('');
      expect(connected.code).toBe(0);
      expect(tokenPosts() - before).toBe(3);
    });

    it('retries a reset of the managed identity endpoint', async () => {
      tokenFault({ type: 'reset', when: 'mid-body' });
      const identity = {
        IDENTITY_ENDPOINT: partner.emulator.identityEndpoint,
        IDENTITY_HEADER: partner.emulator.identityHeader,
      };
      // The managed identity credential reads its endpoint from the process's environment.
      Object.assign(process.env, identity);
      const connected = await partner
        .runInProcess('Connect-Partner', [
          '-Identity',
          ...partner.emulator.connectEndpoints,
          '-ContextName',
          'msi-reset',
        ])
        .finally(() => {
          for (const key of Object.keys(identity)) delete process.env[key];
        });
      expect(connected.stderr).toBe('');
      expect(connected.code).toBe(0);
      expect(partner.emulator.counters().requests['GET /msi/token']).toBe(2);
    });

    it.each([
      ['stalls half-way through its body', { type: 'stall', ms: 30_000 }],
      ['sends nothing', { type: 'delay', ms: 30_000 }],
    ] as const)('asks again when an answer %s past the request timeout', async (_, action) => {
      tokenFault(action);
      const before = tokenPosts();
      partner.env.PARTNERCENTER_REQUEST_TIMEOUT_MS = '1500';
      const connected = await partner
        .runInProcess('Connect-Partner', connectArgs('stalled', '-Verbose'))
        .finally(() => delete partner.env.PARTNERCENTER_REQUEST_TIMEOUT_MS);
      expect(connected.code).toBe(0);
      expect(tokenPosts() - before).toBe(2);
      expect(connected.stderr).toMatch(/failed \((no whole answer within 1\.5 s|it timed out)/);
    });
  });

  describe('when the token endpoint keeps failing', () => {
    it('gives up after -MaxRetry retries with the network named, exit 5', async () => {
      tokenFault({ type: 'reset', when: 'mid-body' }, true);
      const before = tokenPosts();
      const failed = await partner.runInProcess(
        'Connect-Partner',
        connectArgs('never', '-MaxRetry', '2'),
      );
      expect(tokenPosts() - before).toBe(3);
      expect(failed.code).toBe(5);
      expect(failed.stdout).toBe('');
      expect(failed.stderr.trim().split('\n')).toHaveLength(1);
      expect(failed.stderr).toMatch(
        /^Connect-Partner: Sign-in failed: could not reach the token endpoint https:\/\/127\.0\.0\.1:\d+\/[^ ]+\/token: the connection broke during the answer \(3 attempts\)\. The network or Entra ID failed, not the sign-in parameters/,
      );
      expect(failed.stderr).not.toMatch(/Check the sign-in parameters|network_error/);
    });

    it('says so for a 503 too, and does not retry a refused secret', async () => {
      tokenFault({ type: 'status', status: 503 }, true);
      const unavailable = await partner.runInProcess(
        'Connect-Partner',
        connectArgs('never', '-MaxRetry', '0'),
      );
      expect(unavailable.code).toBe(5);
      expect(unavailable.stderr).toMatch(/the token endpoint \S+ answered HTTP 503 \(1 attempt\)/);
      partner.emulator.setFaults({});
      const before = tokenPosts();
      const recovered = await partner.runInProcess('Connect-Partner', connectArgs('never'));
      expect(recovered.code).toBe(0);
      const wrongSecret = await runInProcess(
        await loadCmdlet('Connect-Partner'),
        connectArgs('wrong'),
        { env: { ...partner.env, PARTNERCENTER_CLIENT_SECRET: 'not-the-secret' } },
      );
      expect(wrongSecret.code).toBe(3);
      expect(wrongSecret.stderr).toMatch(/AADSTS7000215/);
      expect(tokenPosts() - before).toBe(2);
    });
  });

  describe("a context's renewal in the middle of a run", () => {
    beforeAll(async () => {
      partner.emulator.setFaults({});
      await partner.seedContext('renewing');
      await partner.connectUser('renewing-refresh');
    });

    it.each([
      ['a service principal', 'renewing'],
      ['a refresh token', 'renewing-refresh'],
    ])('of %s survives a reset of the token answer', async (_, name) => {
      partner.emulator.setFaults({
        rules: [
          { at: 1, action: { type: 'expire-tokens' } },
          { target: 'token', at: 1, action: { type: 'reset', when: 'mid-body' } },
        ],
      });
      const before = tokenPosts();
      const listed = await partner.runInProcess('Get-PartnerCustomer', [
        '-Context',
        name,
        '-First',
        '3',
      ]);
      expect(listed.stderr).toBe('');
      expect(listed.code).toBe(0);
      expect(parseNdjson(listed.stdout)).toHaveLength(3);
      expect(tokenPosts() - before).toBe(2);
    });

    it('ends the run with one line naming the token endpoint when retries run out', async () => {
      partner.emulator.setFaults({
        rules: [
          { at: 1, action: { type: 'expire-tokens' } },
          { target: 'token', after: 0, action: { type: 'reset', when: 'before-headers' } },
        ],
      });
      const before = tokenPosts();
      const listed = await partner.runInProcess('Get-PartnerCustomer', [
        '-Context',
        'renewing',
        '-MaxRetry',
        '1',
      ]);
      expect(tokenPosts() - before).toBe(2);
      expect(listed.code).toBe(5);
      expect(listed.stderr).toMatch(
        /Get-PartnerCustomer: Sign-in failed: could not reach the token endpoint \S+\/token: the connection was reset before the answer \(ECONNRESET\) \(2 attempts\)/,
      );
    });
  });
});
