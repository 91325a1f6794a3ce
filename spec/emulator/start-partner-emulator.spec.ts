/**
 * Start-PartnerEmulator: the cmdlet and its process, then every sign-in tried by hand with nothing
 * but what its first line says. Each part keeps its own emulator and hooks, in its own describe.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientCertificateCredential, ClientSecretCredential } from '@azure/identity';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import definition from '../../cmdlets/Start-PartnerEmulator.js';
import { CONTROL_ROUTES } from '../../lib/emulator/index.js';
import { renderHelp } from '../../lib/host/help/render-help.js';
import { bareCmdletContext } from '../support/bare-context.js';
import { boundParameters } from '../support/bound-parameters.js';
import { repoRoot, spawnCollect } from '../support/cli.js';
import { requireBuild } from '../support/required-tools.js';

describe('the cmdlet and its process', () => {
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
        // (the sign-ins below try each).
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
});

/**
 * Start-PartnerEmulator's first line is enough to try every sign-in by hand: each way is tried here
 * with nothing but what that line says (raw HTTP, as curl would), and its help names every lever.
 */
describe("sign-ins from Start-PartnerEmulator's first line", () => {
  const PC = 'https://api.partnercenter.microsoft.com';
  const controller = new AbortController();
  let run: AsyncIterator<unknown>;
  let info: Record<string, any>;
  let agent: https.Agent;

  function fetchJson(
    url: string,
    options: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<{ status: number; json: any }> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method: options.method ?? 'GET',
          // The levers take the key the first line gives, as a person's curl would send it.
          headers: new URL(url).pathname.startsWith('/_emulator/')
            ? { 'x-emulator-key': info.controlKey, ...options.headers }
            : options.headers,
          agent,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });

  async function listsWith(token: string): Promise<void> {
    const page = await fetchJson(`${info.apiEndpoint}/v1/customers?size=2`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(page.status).toBe(200);
  }

  beforeAll(async () => {
    const context = bareCmdletContext(controller.signal);
    run = definition
      .run(await boundParameters(definition, ['-Customers', '5']), context)
      [Symbol.asyncIterator]();
    info = (await run.next()).value as Record<string, any>;
    agent = new https.Agent({ ca: readFileSync(info.caCertificatePath, 'utf8') });
  });
  afterAll(async () => {
    const rest = run.next();
    controller.abort();
    await rest;
  });

  describe("Start-PartnerEmulator's first line", () => {
    it('gives the application secret for both token endpoints, the v1 one by Basic authentication', async () => {
      const v2 = await fetchJson(
        info.tokenEndpoint,
        form({
          grant_type: 'client_credentials',
          client_id: info.applicationId,
          client_secret: info.clientSecret,
          scope: `${PC}/.default`,
        }),
      );
      await listsWith(v2.json.access_token);
      const basic = Buffer.from(`${info.applicationId}:${info.clientSecret}`).toString('base64');
      const v1 = await fetchJson(
        info.tokenEndpointV1,
        form(
          { grant_type: 'client_credentials', resource: PC },
          { Authorization: `Basic ${basic}` },
        ),
      );
      await listsWith(v1.json.access_token);
    });

    it("gives the user's password and public client, and how to approve a device code", async () => {
      const password = await fetchJson(
        info.tokenEndpoint,
        form({
          grant_type: 'password',
          client_id: info.user.publicClientId,
          username: info.user.userPrincipalName,
          password: info.user.password,
          scope: `${PC}/user_impersonation`,
        }),
      );
      await listsWith(password.json.access_token);
      const started = await fetchJson(
        info.tokenEndpoint.replace(/token$/, 'devicecode'),
        form({ client_id: info.user.publicClientId, scope: `${PC}/user_impersonation` }),
      );
      const [method, url] = info.user.approveDeviceCode.split(' ');
      const body = JSON.stringify({ userCode: started.json.user_code });
      expect(
        (await fetchJson(url!, { method, body, headers: { 'x-emulator-key': '' } })).status,
      ).toBe(403);
      const approved = await fetchJson(url!, { method, body });
      expect(approved.json).toEqual({ ok: true, approved: 1 });
      const redeemed = await fetchJson(
        info.tokenEndpoint,
        form({
          grant_type: 'device_code',
          client_id: info.user.publicClientId,
          device_code: started.json.device_code,
        }),
      );
      await listsWith(redeemed.json.access_token);
    });

    it('gives the App Service managed-identity endpoint and header, and says IMDS is not served', async () => {
      const { IDENTITY_ENDPOINT, IDENTITY_HEADER, imdsServed } = info.managedIdentity;
      expect(imdsServed).toBe(false);
      const minted = await fetchJson(
        `${IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(PC)}`,
        { headers: { 'X-IDENTITY-HEADER': IDENTITY_HEADER } },
      );
      expect(minted.json.client_id).toBe(info.managedIdentity.clientId);
      await listsWith(minted.json.access_token);
    });

    it('says how to get a client certificate, which then signs in', async () => {
      const [method, url] = info.clientCertificate.create.split(' ');
      const created = await fetchJson(url!, {
        method,
        headers: { 'x-emulator-key': info.controlKey },
      });
      expect(created.json).toMatchObject({
        ok: true,
        thumbprint: expect.stringMatching(/^[0-9A-F]{40}$/),
      });
      expect(existsSync(created.json.certificatePath)).toBe(true);
      const credential = new ClientCertificateCredential(
        info.tenantId,
        info.applicationId,
        { certificatePath: created.json.certificatePath },
        { authorityHost: info.authorityHost, disableInstanceDiscovery: true, agent },
      );
      await listsWith((await credential.getToken(`${PC}/.default`)).token);
      const pem = readFileSync(created.json.certificatePath, 'utf8').replace(
        /^[\s\S]*?(?=-----BEGIN CERTIFICATE)/,
        '',
      );
      const registered = await fetchJson(url, {
        method,
        body: JSON.stringify({ certificatePem: pem }),
      });
      expect(registered.json).toEqual({ ok: true, thumbprint: created.json.thumbprint });
      const bad = await fetchJson(url, {
        method,
        body: JSON.stringify({ certificatePem: 'nope' }),
      });
      expect(bad.status).toBe(400);
    });

    it('is explained by the help, whose notes list every lever', () => {
      for (const route of CONTROL_ROUTES) expect(definition.notes).toContain(route);
      expect(definition.notes).toContain('POST /_emulator/devicecode/decline');
      expect(definition.notes).toContain('POST /_emulator/client-certificates');
      for (const word of [
        'IDENTITY_ENDPOINT',
        'IDENTITY_HEADER',
        'IMDS',
        'clientCertificate.create',
        'user.password',
      ])
        expect(definition.description).toContain(word);
      // Help's OUTPUTS names every property of the first line (from its declared output type).
      const page = renderHelp(definition, { view: 'full', width: 200 });
      const outputs = page.slice(page.indexOf('\nOUTPUTS\n'), page.indexOf('\nNOTES\n'));
      for (const key of Object.keys(info)) expect(outputs).toContain(`${key}: `);
    });
  });
});
