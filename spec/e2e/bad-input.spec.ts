/**
 * Bad input gets one clear line on stderr, a documented exit code, and a clean stdout. The runs
 * are the real host and cmdlet in this process (the exit code is what main() exits with): nothing
 * here needs a process (spec/README.md, "Process or in-process").
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';

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
