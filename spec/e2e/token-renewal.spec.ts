/**
 * A runbook's listing outlives its access token: the command renews it once, in the middle of the
 * listing, saves the new one, and writes every customer exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNdjson } from '../support/cli.js';
import { emulatedPartner, idsOf, type EmulatedPartner } from '../support/emulated-partner.js';

describe('a listing longer than its access token', () => {
  let partner: EmulatedPartner;
  beforeAll(async () => {
    partner = await emulatedPartner({ customers: 30 });
  });
  afterAll(() => partner.dispose());

  it('renews the token once, mid-listing, and loses nothing', async () => {
    const tokenFile = join(partner.configDir, 'tokens', 'default.json');
    // A token valid for 61 s counts as usable for one more second (renewal starts a minute before
    // expiry).
    partner.emulator.configure({ accessTokenLifetimeSeconds: 61 });
    await partner.seedContext();
    const first = JSON.parse(readFileSync(tokenFile, 'utf8')).accessToken;
    partner.emulator.configure({ accessTokenLifetimeSeconds: 3600, apiLatencyMs: 150 });
    const before = partner.emulator.counters().tokensIssued;

    // 15 pages of 2 at 150 ms each: the first pages go out with the saved token, the last ones
    // cannot.
    const result = await partner.run('Get-PartnerCustomer', ['-PageSize', '2']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const ids = idsOf(parseNdjson(result.stdout) as Record<string, unknown>[]);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(partner.emulator.counters().tokensIssued).toBe(before + 1);
    const saved = JSON.parse(readFileSync(tokenFile, 'utf8')).accessToken;
    expect(saved.token).not.toBe(first.token);
    expect(saved.expiresOnTimestamp).toBeGreaterThan(first.expiresOnTimestamp + 3000 * 1000);
  });
});
