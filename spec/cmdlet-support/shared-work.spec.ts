/** CmdletServices.shared: work the invocations of one run share, made once, outcome kept. */
import { describe, expect, it } from '@jest/globals';
import { createCmdletServices, sharedWork } from '../../lib/cmdlet-support/services.js';

describe('sharedWork', () => {
  it('makes the work once per key, for callers that ask at the same time or later', async () => {
    const shared = sharedWork();
    let made = 0;
    const make = async () => ++made;
    const [a, b] = await Promise.all([shared('listing', make), shared('listing', make)]);
    expect([a, b, await shared('listing', make)]).toEqual([1, 1, 1]);
    expect(await shared('other', make)).toBe(2);
    expect(made).toBe(2);
  });

  it('keeps a failure for every later caller, without asking again and without an unhandled rejection', async () => {
    const shared = sharedWork();
    let made = 0;
    const failing = () => {
      made++;
      throw new Error('listing failed');
    };
    const first = shared('listing', failing);
    // Nobody awaits it for a while: it must not surface as an unhandled rejection meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    await expect(first).rejects.toThrow('listing failed');
    await expect(shared('listing', failing)).rejects.toThrow('listing failed');
    expect(made).toBe(1);
  });

  it('is one per run: two runs never share', async () => {
    const run = {
      env: {},
      correlationId: '00000000-0000-0000-0000-000000000000',
      signal: new AbortController().signal,
      verbose: () => {},
    };
    const one = createCmdletServices(run);
    const two = createCmdletServices(run);
    expect(await one.shared('k', async () => 'one')).toBe('one');
    expect(await one.shared('k', async () => 'again')).toBe('one');
    expect(await two.shared('k', async () => 'two')).toBe('two');
  });
});
