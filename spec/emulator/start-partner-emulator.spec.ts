import { describe, expect, it } from '@jest/globals';
import { ClientSecretCredential } from '@azure/identity';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import https from 'node:https';
import { join } from 'node:path';
import definition from '../../cmdlets/Start-PartnerEmulator.js';
import { bareCmdletContext } from '../support/bare-context.js';
import { boundParameters } from '../support/bound-parameters.js';
import { repoRoot, spawnCollect } from '../support/cli.js';
import { requireBuild } from '../support/required-tools.js';

const fakeContext = (signal: AbortSignal) => bareCmdletContext(signal);

function get(url: string, ca: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers: { Authorization: `Bearer ${token}` }, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('Start-PartnerEmulator', () => {
  it(
    'yields what Connect-Partner needs first, serves until the signal, then ' +
      'closes and returns',
    async () => {
      const controller = new AbortController();
      const iterator = definition
        .run(
          await boundParameters(definition, [
            '-Customers',
            '17',
            '-Seed',
            '4',
            '-NextLinkForm',
            'Relative',
          ]),
          fakeContext(controller.signal),
        )
        [Symbol.asyncIterator]();
      const first = await iterator.next();
      const info = first.value as Record<string, string>;
      // What Connect-Partner needs, then what each other sign-in needs by hand
      // (spec/emulator/start-partner-emulator-sign-ins.spec.ts tries each).
      expect(Object.keys(info).sort()).toEqual([
        'apiEndpoint',
        'applicationId',
        'authorityHost',
        'caCertificatePath',
        'clientCertificate',
        'clientSecret',
        'controlKey',
        'graphEndpoint',
        'managedIdentity',
        'tenantDomain',
        'tenantId',
        'tokenEndpoint',
        'tokenEndpointV1',
        'user',
      ]);
      expect(info.apiEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(info.authorityHost).toBe(info.apiEndpoint);

      const ca = readFileSync(info.caCertificatePath, 'utf8');
      const credential = new ClientSecretCredential(
        info.tenantId,
        info.applicationId,
        info.clientSecret,
        {
          authorityHost: info.authorityHost,
          disableInstanceDiscovery: true,
          agent: new https.Agent({ ca }),
        },
      );
      const token = await credential.getToken('https://api.partnercenter.microsoft.com/.default');
      const page = await get(`${info.apiEndpoint}/v1/customers?size=10`, ca, token.token);
      expect(JSON.parse(page.body)).toMatchObject({
        totalCount: 10,
        links: { next: { uri: '/customers?size=10&seekOperation=Next' } },
      });

      const rest = iterator.next();
      controller.abort();
      expect(await rest).toEqual({ done: true, value: undefined });
      await expect(get(`${info.apiEndpoint}/v1/customers`, ca, token.token)).rejects.toThrow(
        /ECONNREFUSED/,
      );
      expect(existsSync(info.caCertificatePath)).toBe(false);
    },
  );

  it(
    '-OutFile: the file appears whole (0600) only once the emulator answers, nothing goes to ' +
      'stdout, and it is removed when the emulator stops',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'emulator-outfile-'));
      const outFile = join(dir, 'emulator.json');
      try {
        const controller = new AbortController();
        const run = definition.run(
          await boundParameters(definition, ['-Customers', '3', '-Http', '-OutFile', outFile]),
          fakeContext(controller.signal),
        );
        const ended = (async () => {
          const yielded: unknown[] = [];
          for await (const object of run) yielded.push(object);
          return yielded;
        })();
        // The cmdlet yields nothing with -OutFile: wait for the file as a shell script would.
        while (!existsSync(outFile)) await new Promise((resolve) => setImmediate(resolve));
        const info = JSON.parse(readFileSync(outFile, 'utf8')) as Record<string, string>;
        expect(statSync(outFile).mode & 0o777).toBe(0o600);
        const counters = await fetch(`${info.apiEndpoint}/_emulator/counters`, {
          headers: { 'x-emulator-key': String(info.controlKey) },
        });
        expect(counters.status).toBe(200);
        controller.abort();
        expect(await ended).toEqual([]);
        expect(existsSync(outFile)).toBe(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('-OutFile in a missing directory: one clear error naming the path', async () => {
    const outFile = join(tmpdir(), 'no-such-directory-for-the-emulator', 'emulator.json');
    const run = definition.run(
      await boundParameters(definition, ['-Customers', '1', '-Http', '-OutFile', outFile]),
      fakeContext(new AbortController().signal),
    );
    const error = await run[Symbol.asyncIterator]()
      .next()
      .then(
        () => undefined,
        (thrown: unknown) => thrown as Error & { hint?: string },
      );
    expect(error?.message).toMatch(/^Cannot write -OutFile '.*emulator\.json': ENOENT/);
    expect(error?.hint).toMatch(/existing directory/);
  });

  it('says in its help what it serves, the faults, and no longer "customers" alone', () => {
    const help = `${definition.synopsis}\n${definition.description}`;
    for (const served of [
      'Microsoft Graph',
      'Entra ID',
      'customers',
      'subscriptions',
      'users',
      "a user's licenses and directory roles",
      'subscribed SKUs',
      'GDAP relationships',
      'access assignments',
      'their requests',
      '$count',
      '$orderby',
      'OData-Version',
      'AADSTS500011',
      'with and without /v1',
      'BILLING',
      'FAULTS',
      'POST /_emulator/faults',
      'rateLimit',
    ])
      expect(help).toContain(served);
    expect(help).not.toMatch(/serves GET \/v1\/customers \(seek paging, size, filter\) and GET/);
  });

  it('declares its parameters with the documented ranges and defaults', () => {
    const { parameters } = definition;
    expect(parameters.Port).toMatchObject({ type: 'int', range: [0, 65535], default: 0 });
    expect(parameters.Customers).toMatchObject({
      type: 'int',
      range: [0, 2_000_000],
      default: 2500,
    });
    expect(parameters.Seed).toMatchObject({ type: 'int', default: 1 });
    expect(parameters.Http).toMatchObject({ type: 'switch' });
    expect(parameters.NextLinkForm).toMatchObject({
      choices: ['Mixed', 'V1', 'Relative', 'Absolute'],
      default: 'Mixed',
    });
    expect(parameters.Bom).toMatchObject({ type: 'switch' });
  });

  const bin = join(repoRoot, 'bin', 'Start-PartnerEmulator');
  requireBuild();
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'as a process: prints one JSON line, then exits 0 on %s',
    async (signal) => {
      let printed!: (started: { firstLine: string; child: ChildProcess }) => void;
      const started = new Promise<{ firstLine: string; child: ChildProcess }>((resolve) => {
        printed = resolve;
      });
      const exited = spawnCollect(process.execPath, [bin, '-Customers', '3', '-Http'], {
        onOutput: ({ stdout }, child) => {
          if (stdout.includes('\n')) printed({ firstLine: stdout.split('\n')[0]!, child });
        },
      });
      const { firstLine, child } = await Promise.race([
        started,
        exited.then(({ code, stderr }) => {
          throw new Error(`exited ${code} before printing: ${stderr}`);
        }),
      ]);
      const info = JSON.parse(firstLine) as Record<string, string>;
      expect(info.apiEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const counters = await fetch(`${info.apiEndpoint}/_emulator/counters`, {
        headers: { 'x-emulator-key': info.controlKey! },
      });
      expect(counters.status).toBe(200);
      child.kill(signal);
      const { code, stdout } = await exited;
      expect(code).toBe(0);
      expect(stdout.trim().split('\n')).toHaveLength(1);
    },
  );
});
