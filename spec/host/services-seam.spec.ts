/**
 * The run-scoped services seam: the host builds a run's services once and hands them to the
 * cmdlet, so a caller can hand it others. Fakes here prove only the seam; the real services are
 * proven against the emulator (the last case and the e2e specs).
 */
import { systemClock } from '../../lib/common/clock.js';
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPartnerContext from '../../cmdlets/Get-PartnerContext.js';
import getPartnerCustomer from '../../cmdlets/Get-PartnerCustomer.js';
import type {
  ClientSettings,
  CmdletServices,
  RunDescription,
} from '../../lib/cmdlet-support/services.js';
import { sharedWork } from '../../lib/cmdlet-support/services.js';
import type { PartnerCenterClient } from '../../lib/partner-center/client.js';
import { ContextStore } from '../../lib/session/context-store.js';
import { TokenStore } from '../../lib/session/token-store.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { emulatedPartner } from '../support/emulated-partner.js';

const customerId = '1b5d4a2e-0000-4000-8000-000000000002';
const otherId = '1b5d4a2e-0000-4000-8000-000000000003';

describe('the services seam', () => {
  it('hands a cmdlet the client the caller built, with the run it belongs to', async () => {
    const runs: RunDescription[] = [];
    const asked: ClientSettings[] = [];
    const paths: string[] = [];
    const client = {
      getJson: async (path: string) => {
        paths.push(path);
        return { id: path.split('/').pop(), companyProfile: { companyName: 'Fake' } };
      },
    } as unknown as PartnerCenterClient;
    const services = (run: RunDescription): CmdletServices => {
      runs.push(run);
      return {
        stores: () => Promise.reject(new Error('not used')),
        currentContext: () => Promise.reject(new Error('not used')),
        clock: systemClock,
        partnerCenter: async (settings) => {
          asked.push(settings ?? {});
          return client;
        },
        graph: () => Promise.reject(new Error('not used')),
        shared: sharedWork(),
      };
    };
    const stdin = `${JSON.stringify({ id: customerId })}\n${JSON.stringify({ id: otherId })}\n`;
    const result = await runInProcess(getPartnerCustomer, ['-MaxRetry', '2'], {
      stdin,
      services,
      env: { PARTNERCENTER_CONTEXT: 'fake' },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id),
    ).toEqual([customerId, otherId]);
    expect(paths).toEqual([`/customers/${customerId}`, `/customers/${otherId}`]);
    expect(asked).toEqual([{ maxRetry: 2 }, { maxRetry: 2 }]);
    // One run, one set of services, one correlation id for every pipeline object.
    expect(runs).toHaveLength(1);
    expect(runs[0]!.contextName).toBe('fake');
    expect(runs[0]!.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads contexts from the stores it is handed, not from the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seam-'));
    try {
      const stores = { contexts: new ContextStore(dir), tokens: new TokenStore(dir) };
      await stores.contexts.write({
        name: 'handed',
        environment: {
          name: 'Custom',
          apiEndpoint: 'https://127.0.0.1:1',
          authorityHost: 'https://127.0.0.1:1',
          audience: 'https://api.partnercenter.microsoft.com',
        },
        tenantId: '00000000-0000-4000-8000-00000000000a',
        authentication: 'ServicePrincipal',
        applicationId: '00000000-0000-4000-8000-00000000000b',
        secretSource: 'TokenStore',
        connectedAt: new Date().toISOString(),
      });
      await stores.contexts.setDefault('handed');
      const result = await runInProcess(getPartnerContext, [], {
        env: { PARTNERCENTER_CONFIG_DIR: join(dir, 'not-this-one') },
        services: () => ({
          stores: async () => stores,
          partnerCenter: () => Promise.reject(new Error('not used')),
          graph: () => Promise.reject(new Error('not used')),
          currentContext: () => Promise.reject(new Error('not used')),
          clock: systemClock,
          shared: sharedWork(),
        }),
      });
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toMatchObject({
        name: 'handed',
        tenantId: '00000000-0000-4000-8000-00000000000a',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the run's clock is the one the caller hands, else the system's", async () => {
    const { createCmdletServices } = await import('../../lib/cmdlet-support/services.js');
    const run = {
      env: {},
      correlationId: '00000000-0000-4000-8000-000000000000',
      signal: new AbortController().signal,
      verbose: () => undefined,
    };
    const manual = { now: () => 0, sleep: async () => undefined };
    expect(createCmdletServices({ ...run, clock: manual }).clock).toBe(manual);
    expect(createCmdletServices(run).clock).toBe(systemClock);
  });

  it('the real services make one client per run, shared by its pipeline objects', async () => {
    const partner = await emulatedPartner({ customers: 5 });
    try {
      const listed = await runInProcess(getPartnerCustomer, [], { env: partner.env });
      const ids = listed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id as string);
      const before = (await partner.emulator.counters()).tokensIssued;
      const stdin = ids.map((id) => JSON.stringify({ id })).join('\n');
      const result = await runInProcess(getPartnerCustomer, [], { env: partner.env, stdin });
      expect(result.stderr).toBe('');
      expect(result.stdout.trim().split('\n')).toHaveLength(5);
      // The stored token is reused: no new grant, and one session for all five objects.
      expect((await partner.emulator.counters()).tokensIssued).toBe(before);
    } finally {
      await partner.dispose();
    }
  });
});
