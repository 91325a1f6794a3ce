/**
 * Full listings against the real emulator over HTTPS: every id exactly once and in order, for
 * 0..2,345 customers and page sizes 1, 7 and 500, over one keep-alive connection, both next-link
 * forms, a BOM, the headers the emulator saw, resume, search and one customer.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { NotFoundError, UsageError } from '../../lib/common/errors.js';
import type { PartnerCenterClient } from '../../lib/partner-center/client.js';
import {
  getCustomer,
  listCustomers,
  type ListCustomersOptions,
} from '../../lib/partner-center/customers.js';
import { emulatorClient } from './fixtures/emulator-client.js';

const COUNTS = [0, 1, 499, 500, 501, 2345] as const;
const PAGE_SIZES = [1, 7, 500] as const;
const emulators = new Map<number, StartedEmulator>();

beforeAll(async () => {
  await Promise.all(
    COUNTS.map(async (customers) =>
      emulators.set(customers, await startEmulator({ customers, seed: 7 })),
    ),
  );
});
afterAll(() => Promise.all([...emulators.values()].map((emulator) => emulator.close())));

async function collect(client: PartnerCenterClient, options: ListCustomersOptions) {
  const ids: string[] = [];
  const pages: { size: number; pageNumber: number; continuationToken?: string }[] = [];
  for await (const page of listCustomers(client, options)) {
    ids.push(...page.items.map((customer) => customer.value.id));
    pages.push({
      size: page.items.length,
      pageNumber: page.pageNumber,
      continuationToken: page.continuationToken,
    });
  }
  return { ids, pages };
}

const expectedIds = (emulator: StartedEmulator) =>
  emulator.customers.map((customer) => customer.id as string);

describe.each(COUNTS)('%i customers', (count) => {
  it.each(PAGE_SIZES)(
    'page size %i: every id once, in order, over one connection',
    async (pageSize) => {
      const emulator = emulators.get(count)!;
      // No -Debug trace: these cases read none, and it is a line per request (2,345 of them).
      const { client } = emulatorClient(emulator, { debug: undefined });
      try {
        const { ids, pages } = await collect(client, { pageSize });
        expect(ids).toEqual(expectedIds(emulator));
        const expectedPages = Math.max(1, Math.ceil(count / pageSize));
        expect(pages.map((p) => p.pageNumber)).toEqual(
          Array.from({ length: expectedPages }, (_, i) => i + 1),
        );
        expect(pages.slice(0, -1).every((p) => p.size === pageSize && p.continuationToken)).toBe(
          true,
        );
        expect(pages.at(-1)!.continuationToken).toBeUndefined();
        expect(client.stats).toEqual({ connections: 1, requests: expectedPages });
      } finally {
        client.close();
      }
    },
    // Page size 1 over 2,345 customers is 2,345 requests: on a loaded machine more than the
    // default 30 s (a time limit for a hung case, not a speed check).
    90_000,
  );
});

describe('the shapes the real service sends', () => {
  it.each(['v1', 'relative'] as const)(
    'follows next links of the %s form, never building /v1//v1',
    async (nextLinkForm) => {
      const emulator = emulators.get(501)!;
      emulator.configure({ nextLinkForm });
      const { client } = emulatorClient(emulator);
      try {
        const { ids } = await collect(client, { pageSize: 100 });
        expect(ids).toEqual(expectedIds(emulator));
        const urls = emulator.recentRequests(6).map((r) => r.url);
        expect(urls[0]).toBe('/v1/customers?size=100');
        for (const url of urls.slice(1))
          expect(url).toMatch(/^\/v1\/customers\?size=100&seekOperation=Next$/);
      } finally {
        emulator.configure({ nextLinkForm: 'v1' });
        client.close();
      }
    },
  );

  it('reads bodies that start with a UTF-8 BOM', async () => {
    const emulator = emulators.get(499)!;
    emulator.configure({ bom: true });
    const { client } = emulatorClient(emulator);
    try {
      const { ids } = await collect(client, { pageSize: 200 });
      expect(ids).toEqual(expectedIds(emulator));
      const one = await getCustomer(client, ids[42]);
      expect(one.id).toBe(ids[42]);
    } finally {
      emulator.configure({ bom: false });
      client.close();
    }
  });

  it(
    'sends the Partner Center headers; MS-RequestId new per call, ' +
      'MS-CorrelationId one per run',
    async () => {
      const emulator = emulators.get(499)!;
      const { client } = emulatorClient(emulator, { locale: 'ko-KR' });
      try {
        await collect(client, { pageSize: 100 });
        const seen = emulator.recentRequests(5);
        expect(seen).toHaveLength(5);
        for (const { headers, status } of seen) {
          expect(status).toBe(200);
          expect(headers.authorization).toBe('Bearer <redacted>');
          expect(headers.accept).toBe('application/json');
          expect(headers['x-locale']).toBe('ko-KR');
          expect(headers['ms-partnercenter-application']).toBe('PartnerCenter-Node/0.1.0');
        }
        expect(new Set(seen.map((r) => r.headers['ms-requestid'])).size).toBe(5);
        expect(new Set(seen.map((r) => r.headers['ms-correlationid'])).size).toBe(1);
        expect(seen[0].headers['ms-continuationtoken']).toBeUndefined();
        for (const r of seen.slice(1)) expect(r.headers['ms-continuationtoken']).toBeTruthy();
      } finally {
        client.close();
      }
    },
  );
});

describe('resume, search, one customer', () => {
  it(
    'resumes from a page continuation token: both runs together hold every ' +
      'customer exactly once',
    async () => {
      const emulator = emulators.get(2345)!;
      const first = emulatorClient(emulator);
      const secondRun = randomUUID();
      const second = emulatorClient(emulator, { correlationId: secondRun });
      try {
        const before: string[] = [];
        let token: string | undefined;
        for await (const page of listCustomers(first.client, { pageSize: 500 })) {
          before.push(...page.items.map((c) => c.value.id));
          token = page.continuationToken;
          if (page.pageNumber === 2) break;
        }
        const { ids: after } = await collect(second.client, {
          pageSize: 500,
          continuationToken: token,
        });
        expect([...before, ...after]).toEqual(expectedIds(emulator));
        const resumed = emulator
          .recentRequests(10)
          .find((r) => r.headers['ms-correlationid'] === secondRun)!;
        expect(resumed.url).toBe('/v1/customers?size=500&seekOperation=Next');
        expect(resumed.headers['ms-continuationtoken']).toBe(token);
      } finally {
        first.client.close();
        second.client.close();
      }
    },
  );

  it('reports a continuation token the emulator refuses as no longer accepted', async () => {
    const emulator = emulators.get(501)!;
    const { client } = emulatorClient(emulator);
    try {
      const page = (await listCustomers(client, { pageSize: 100 }).next()).value!;
      const forged = `${page.continuationToken!.slice(0, -2)}xx`;
      const error = (await collect(client, { pageSize: 100, continuationToken: forged }).catch(
        (e: unknown) => e,
      )) as UsageError;
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toMatch(
        /^Partner Center no longer accepts the continuation token \(HTTP 400/,
      );
    } finally {
      client.close();
    }
  });

  it('searches by company name prefix, case-insensitively, across pages', async () => {
    const emulator = emulators.get(2345)!;
    const name = (c: Record<string, unknown>) =>
      (c.companyProfile as { companyName: string }).companyName;
    const prefix = name(emulator.customers[3]).slice(0, 2);
    const expected = emulator.customers
      .filter((c) => name(c).toLowerCase().startsWith(prefix.toLowerCase()))
      .map((c) => c.id);
    const { client } = emulatorClient(emulator);
    try {
      const { ids } = await collect(client, {
        pageSize: 7,
        filter: {
          field: 'CompanyName',
          value: prefix.toUpperCase() === prefix ? prefix.toLowerCase() : prefix.toUpperCase(),
        },
      });
      expect(expected.length).toBeGreaterThan(0);
      expect(ids).toEqual(expected);
    } finally {
      client.close();
    }
  });

  it('gets one customer with the fuller shape, and names a missing one', async () => {
    const emulator = emulators.get(499)!;
    const { client } = emulatorClient(emulator);
    try {
      const id = emulator.customers[10].id as string;
      const customer = await getCustomer(client, id);
      expect(customer.id).toBe(id);
      expect(customer).toHaveProperty('billingProfile');
      const missing = '00000000-0000-4000-8000-000000000000';
      const error = (await getCustomer(client, missing).catch((e: unknown) => e)) as NotFoundError;
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.message).toBe(
        `Customer ${missing} was not found among this partner's customers.`,
      );
    } finally {
      client.close();
    }
  });
});
