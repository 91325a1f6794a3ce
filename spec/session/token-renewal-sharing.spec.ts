/**
 * A context's token provider shared by many workers (the fan-out's customers at once) against the
 * real emulator: a worker whose token was refused gets a renewed one, never the refused one back
 * from a read of the cache that another worker had in flight; and workers refused the same token
 * share one renewal, also when they learn of the refusal one after another.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openSession } from '../../lib/session/session.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';

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
