/**
 * Get-PartnerCustomer end to end against the emulator over HTTPS, signed in as a service
 * principal. Every listing must hold exactly the emulator's ids. One listing of the matrix and the
 * closed reader (| head -n 1: EPIPE and the exit status) run the real bin/ command in its own
 * process; the rest of the matrix and the service's quirks run the same host, cmdlet, session and
 * client in-process (spec/README.md: a process start would add nothing they check).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { binPath, inBackground, parseNdjson, runBash, type CliResult } from '../support/cli.js';
import { emulatedPartners, idsOf, type EmulatedPartner } from '../support/emulated-partner.js';

/**
 * The full count × page-size matrix runs in-process in spec/partner-center/listing.spec.ts; through
 * real processes, the edges: empty, one, a page boundary each side, and a multi-page partner.
 */
const COUNTS_AND_PAGE_SIZES: ReadonlyArray<[number, number[]]> = [
  [0, [500]],
  [1, [1, 500]],
  [499, [7]],
  [500, [500]],
  [501, [1, 500]],
  [2345, [7, 500]],
];
/** The count and page size of the matrix listing that runs as a real process. */
const PROCESS_LISTING = [2345, 500] as const;
/** Three pages of 500 (the header case counts them), with names in non-Latin scripts among them. */
const QUIRKS_COUNT = 1203;

/** One emulator per count, plus the quirks one: independent, so they start side by side. */
const partners = new Map<number, EmulatedPartner>();
/**
 * The matrix listing that runs as a real process: it starts once its emulator is up and overlaps
 * the in-process cases, and its case awaits it. The others run the same host, cmdlet, session and
 * client in-process, each inside its own case (a process start each would add nothing they check;
 * jest only allows the imports they make inside a case).
 */
let processListing: Promise<CliResult>;
beforeAll(async () => {
  const counts = [...COUNTS_AND_PAGE_SIZES.map(([count]) => count), QUIRKS_COUNT];
  const started = await emulatedPartners(counts.map((customers) => ({ customers })));
  started.forEach((partner, n) => {
    partners.set(counts[n]!, partner);
  });
  const [count, size] = PROCESS_LISTING;
  processListing = inBackground(
    partners.get(count)!.run('Get-PartnerCustomer', ['-PageSize', String(size)]),
  );
});
afterAll(async () => {
  await processListing?.catch(() => undefined);
  await Promise.all([...partners.values()].map((partner) => partner.dispose()));
});

describe.each(COUNTS_AND_PAGE_SIZES)('Get-PartnerCustomer with %i customers', (count, sizes) => {
  let partner: EmulatedPartner;
  beforeAll(() => {
    partner = partners.get(count)!;
  });

  it.each(sizes)('lists every customer exactly once with -PageSize %i', async (size) => {
    const result =
      count === PROCESS_LISTING[0] && size === PROCESS_LISTING[1]
        ? await processListing
        : await partner.runInProcess('Get-PartnerCustomer', ['-PageSize', String(size)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const ids = idsOf(parseNdjson(result.stdout));
    expect(ids).toEqual(partner.emulator.customers.map((c) => c.id));
    expect(new Set(ids).size).toBe(count);
    expect(result.stdout.endsWith('\n') || count === 0).toBe(true);
  });
});

describe("Get-PartnerCustomer against the service's quirks", () => {
  let partner: EmulatedPartner;
  beforeAll(() => {
    partner = partners.get(QUIRKS_COUNT)!;
  });
  const expected = () => partner.emulator.customers.map((c) => c.id);

  it.each(['v1', 'relative'] as const)('follows next links of the %s form', async (form) => {
    partner.emulator.configure({ nextLinkForm: form, bom: false });
    const result = await partner.runInProcess('Get-PartnerCustomer', ['-PageSize', '100']);
    expect(result.code).toBe(0);
    expect(idsOf(parseNdjson(result.stdout))).toEqual(expected());
  });

  it('tolerates a UTF-8 byte-order mark before every body', async () => {
    partner.emulator.configure({ nextLinkForm: 'v1', bom: true });
    const result = await partner.runInProcess('Get-PartnerCustomer', ['-PageSize', '250']);
    partner.emulator.configure({ bom: false });
    expect(result.code).toBe(0);
    expect(result.stdout.charCodeAt(0)).not.toBe(0xfeff);
    expect(idsOf(parseNdjson(result.stdout))).toEqual(expected());
  });

  it('writes customers exactly as the API sent them (lossless), non-Latin scripts intact', async () => {
    const result = await partner.runInProcess('Get-PartnerCustomer', ['-PageSize', '500']);
    expect(parseNdjson(result.stdout)).toEqual(partner.emulator.customers);
    expect(result.stdout).toMatch(/[\uac00-\ud7af]/); // Hangul
    expect(result.stdout).toMatch(/[\u3040-\u30ff\u4e00-\u9faf]/); // Japanese
  });

  it(
    'sends the documented headers: a new MS-RequestId per call, one ' + 'MS-CorrelationId per run',
    async () => {
      partner.emulator.resetCounters();
      const result = await partner.runInProcess('Get-PartnerCustomer', ['-PageSize', '500']);
      expect(result.code).toBe(0);
      const pages = partner.emulator
        .recentRequests(50)
        .filter((r) => r.route === 'GET /v1/customers');
      expect(pages).toHaveLength(3);
      const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
      for (const request of pages) {
        expect(request.headers['ms-requestid']).toMatch(guid);
        expect(request.headers['ms-correlationid']).toMatch(guid);
        expect(request.headers.accept).toBe('application/json');
        expect(request.headers['x-locale']).toBe('en-US');
        expect(request.headers['ms-partnercenter-application']).toMatch(/^PartnerCenter-Node\//);
        expect(request.headers.authorization).toMatch(/^Bearer /);
      }
      expect(new Set(pages.map((r) => r.headers['ms-requestid'])).size).toBe(3);
      expect(new Set(pages.map((r) => r.headers['ms-correlationid'])).size).toBe(1);
    },
  );

  it('gets one customer in full by -CustomerId', async () => {
    const id = partner.emulator.customers[42]!.id as string;
    const result = await partner.runInProcess('Get-PartnerCustomer', ['-CustomerId', id]);
    expect(result.code).toBe(0);
    const [customer] = parseNdjson(result.stdout);
    expect(customer!.id).toBe(id);
    expect(customer).toHaveProperty('billingProfile');
    expect(customer).toHaveProperty('commerceId');
  });

  it(
    'ends quietly with status 0 when the reader closes early (| head -n 1), ' +
      'without fetching every page',
    async () => {
      partner.emulator.resetCounters();
      const script =
        `"${process.execPath}" "${binPath('Get-PartnerCustomer')}" ` +
        `-PageSize 1 | head -n 1; echo "status=\${PIPESTATUS[0]}" >&2`;
      const { stdout, stderr } = await runBash(script, { env: partner.env });
      expect(parseNdjson(stdout)).toHaveLength(1);
      expect(stderr.trim()).toBe('status=0');
      expect(partner.emulator.counters().requests['GET /v1/customers'] ?? 0).toBeLessThan(
        QUIRKS_COUNT,
      );
    },
  );
});
