/**
 * What a run writes on stderr, in-process against the emulator: one clear line for bad input
 * (with its exit code and nothing on stdout), and -Debug traces of a real sign-in and renewal that
 * never show a secret. Each part keeps its own emulator and hooks, in its own describe.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';

/**
 * Bad input gets one clear line on stderr, a documented exit code, and a clean stdout. The runs
 * are the real host and cmdlet in this process (the exit code is what main() exits with): nothing
 * here needs a process (spec/README.md, "Process or in-process").
 */
describe('bad input', () => {
  let partner: EmulatedPartner;
  beforeAll(async () => {
    partner = await emulatedPartner({ customers: 5 });
  });
  afterAll(() => partner.dispose());

  describe('Get-PartnerCustomer refuses bad input before any network call', () => {
    it.each([
      [['-CustomerId', 'not-a-guid'], /CustomerId.*not-a-guid.*GUID/i],
      [['-PageSize', '0'], /PageSize.*0.*1.*500/],
      [['-PageSize', '501'], /PageSize.*501.*1.*500/],
      [['-PageSize', 'abc'], /PageSize.*abc/],
      [['-Bogus'], /Bogus/],
      [['-PageSize', '5', '-PageSize', '6'], /parameter 'PageSize' is specified more than once/],
      [
        [
          '-CustomerId',
          '00000000-0000-4000-8000-000000000001',
          '-Id',
          '00000000-0000-4000-8000-000000000002',
        ],
        /parameter 'CustomerId' is specified more than once \(-Id name -CustomerId\)/,
      ],
    ])('%j → exit 2', async (args, message) => {
      partner.emulator.resetCounters();
      const result = await partner.runInProcess('Get-PartnerCustomer', args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^Get-PartnerCustomer: /);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(partner.emulator.counters().requests).toEqual({});
    });
  });

  describe('Get-PartnerCustomer reports what the service says', () => {
    it('a customer that does not exist → exit 4', async () => {
      const result = await partner.runInProcess('Get-PartnerCustomer', [
        '-CustomerId',
        '00000000-0000-4000-8000-000000000000',
      ]);
      expect(result.code).toBe(4);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(
        /^Get-PartnerCustomer: .*00000000-0000-4000-8000-000000000000|not found/i,
      );
    });
  });
});

/**
 * -Debug traces a real sign-in and a real renewal, and none of their secrets reaches its output:
 * the client secret given to Connect-Partner, the refresh token of an App+User sign-in and the one
 * the renewal rotates in, and every access token. The secrets are collected from where they really
 * are (the emulator's answers, the token store the sign-in wrote), not guessed.
 */
describe('-Debug redaction', () => {
  let partner: EmulatedPartner;
  beforeAll(async () => {
    partner = await emulatedPartner({ customers: 5 }, false);
  });
  afterAll(() => partner.dispose());

  /** Every string in the config directory's files that is a token or a secret. */
  function storedSecrets(dir: string): string[] {
    const found: string[] = [];
    const visit = (value: unknown, key = ''): void => {
      if (typeof value === 'string') {
        if (/token|secret|assertion/i.test(key) && value.length >= 16) found.push(value);
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) visit(v, k);
      }
    };
    const walk = (path: string): void => {
      for (const name of readdirSync(path)) {
        const file = join(path, name);
        if (statSync(file).isDirectory()) walk(file);
        else {
          try {
            visit(JSON.parse(readFileSync(file, 'utf8')));
          } catch {
            // Not JSON: not where the module keeps tokens.
          }
        }
      }
    };
    walk(dir);
    return found;
  }

  function expectNoneOf(secrets: readonly string[], output: string): void {
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(output.includes(secret)).toBe(false);
    // No access token either, whatever its source (a JWT begins with eyJ).
    expect(output).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
  }

  /** Expires every access token issued so far: the next request is answered 401 and renews. */
  const expireAccessTokens = () => partner.emulator.revokeAccessTokens();

  describe('-Debug across a real sign-in and renewal', () => {
    it('Connect-Partner with a client secret, then a renewal: the secret and the tokens never show', async () => {
      const secret = partner.emulator.clientSecret;
      const connected = await partner.runInProcess('Connect-Partner', [
        ...partner.connectArgs,
        '-ClientSecret',
        secret,
        '-Debug',
      ]);
      expect(connected.code).toBe(0);
      // The parameters are traced, the secret among them masked.
      expect(connected.stderr).toMatch(
        /^DEBUG: Connect-Partner parameter set .*"ClientSecret":"\*\*\*"/m,
      );
      const issued = partner.emulator.counters().tokensIssued;
      expireAccessTokens();
      const listed = await partner.runInProcess('Get-PartnerCustomer', ['-First', '2', '-Debug']);
      expect(listed.code).toBe(0);
      // It did renew: the emulator issued another token for this run.
      expect(partner.emulator.counters().tokensIssued).toBeGreaterThan(issued);
      expect(listed.stderr).toMatch(/^DEBUG: .*\b401\b/m);
      const secrets = [secret, ...storedSecrets(partner.configDir)];
      for (const output of [connected.stdout, connected.stderr, listed.stderr])
        expectNoneOf(secrets, output);
    });

    it('Connect-Partner with a refresh token, then a renewal that rotates it: no refresh token shows', async () => {
      const refreshToken = partner.emulator.issueRefreshToken();
      const connected = await partner.runInProcess(
        'Connect-Partner',
        [
          '-RefreshToken',
          '-',
          '-ApplicationId',
          partner.emulator.applicationId,
          ...partner.emulator.connectEndpoints,
          '-ContextName',
          'user',
          '-Debug',
        ],
        `${refreshToken}\n`,
      );
      expect(connected.code).toBe(0);
      expect(connected.stderr).toMatch(/^DEBUG: /m);
      const before = storedSecrets(partner.configDir);
      expireAccessTokens();
      const listed = await partner.runInProcess('Get-PartnerCustomer', [
        '-First',
        '1',
        '-Context',
        'user',
        '-Debug',
      ]);
      expect(listed.code).toBe(0);
      const after = storedSecrets(partner.configDir);
      // The renewal stored something new (a new access token, a rotated refresh token).
      expect(after.filter((value) => !before.includes(value)).length).toBeGreaterThan(0);
      const secrets = [refreshToken, partner.emulator.clientSecret, ...before, ...after];
      for (const output of [connected.stdout, connected.stderr, listed.stdout, listed.stderr])
        expectNoneOf(secrets, output);
    });
  });
});
