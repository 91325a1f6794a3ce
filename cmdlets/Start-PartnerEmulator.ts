import {
  startEmulator,
  type EmulatorOptions,
  type StartedEmulator,
} from '../lib/emulator/index.js';
import { PartnerCenterModuleError } from '../lib/common/errors.js';
import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import type { NextLinkForm } from '../lib/emulator/types.js';

interface Parameters extends Record<string, unknown> {
  Port?: number;
  Customers?: number;
  Seed?: number;
  Http?: boolean;
  NextLinkForm?: 'V1' | 'Relative';
  Bom?: boolean;
  TokenLifetime?: number;
  PageLatency?: number;
  PageCacheMegabytes?: number;
  AutoApproveDeviceCode?: boolean;
  StateDirectory?: string;
}

const nextLinkForms: Record<NonNullable<Parameters['NextLinkForm']>, NextLinkForm> = {
  V1: 'v1',
  Relative: 'relative',
};

async function start(options: EmulatorOptions): Promise<StartedEmulator> {
  try {
    return await startEmulator(options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new PartnerCenterModuleError(`Port ${options.port} on 127.0.0.1 is already in use.`, {
      hint: 'Choose another -Port, or -Port 0 for a free one.',
      cause: error,
    });
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export default defineCmdlet<Parameters>({
  name: 'Start-PartnerEmulator',
  synopsis: 'Runs the built-in Partner Center and Entra ID emulator on 127.0.0.1.',
  description:
    'Starts a local stand-in for Partner Center and its Entra ID sign-in, on ' +
    '127.0.0.1 only, over HTTPS with a self-signed certificate it creates (or ' +
    'plain HTTP with -Http). ' +
    'It serves GET /v1/customers (seek paging, size, filter) and GET ' +
    '/v1/customers/{id} over a deterministic set of customers made from -Seed, ' +
    'the OpenID configuration and token endpoints (client secret, ' +
    'certificate, device code, refresh token, browser sign-in), and an App ' +
    'Service-shaped managed identity endpoint. ' +
    'It first writes one object with what Connect-Partner needs (the ' +
    'endpoints, the tenant, a registered application and its client secret, ' +
    'and the certificate file to trust), then serves until Ctrl-C or SIGTERM ' +
    'and exits cleanly. ' +
    "The client secret printed is the emulator's own demo credential, valid " +
    'nowhere else. Counters and test levers are under /_emulator/.',
  parameters: {
    Port: {
      type: 'int',
      range: [0, 65535],
      default: 0,
      description: 'TCP port on 127.0.0.1; 0 picks a free one.',
    },
    Customers: {
      type: 'int',
      range: [0, 2_000_000],
      default: 2500,
      description:
        'Number of customers in the data set (derived on demand: a million costs no memory).',
    },
    Seed: {
      type: 'int',
      default: 1,
      description:
        'Seed of the data set: the same seed gives the same customers, tenant, ' +
        'application and secret.',
    },
    Http: {
      type: 'switch',
      description:
        'Serve plain HTTP instead of HTTPS (the Entra ID client libraries refuse ' +
        'http:// authorities).',
    },
    NextLinkForm: {
      type: 'string',
      choices: ['V1', 'Relative'],
      default: 'V1',
      description:
        'Shape of links.next.uri: /v1/customers?... (the service since 2021) or ' +
        '/customers?... (before).',
    },
    Bom: {
      type: 'switch',
      description:
        'Begin every Partner Center response body with a UTF-8 byte-order mark, ' +
        'as the real service sometimes does.',
    },
    TokenLifetime: {
      type: 'int',
      range: [1, 86_400],
      default: 3600,
      description: 'Lifetime of issued access tokens, in seconds (short ones test renewal).',
    },
    PageLatency: {
      type: 'int',
      range: [0, 600_000],
      default: 0,
      description: 'Extra latency added to every Partner Center response, in milliseconds.',
    },
    PageCacheMegabytes: {
      type: 'int',
      range: [0, 65_536],
      default: 0,
      description:
        'Keep the customers of recently served pages in memory, up to this many ' +
        'megabytes (about 0.3 MB per page of 500), so listing the same customers ' +
        'again costs the emulator little more than HTTPS. 0 derives every page anew.',
    },
    AutoApproveDeviceCode: {
      type: 'switch',
      description: 'Approve device-code sign-ins at once (a demo without a second terminal).',
    },
    StateDirectory: {
      type: 'string',
      description:
        'Keep the TLS certificate and the token-signing key in this directory ' +
        '(created if missing): restarted on the same -Port, the emulator is still ' +
        'trusted by the contexts saved against it and honours their tokens. ' +
        'Without it, every start is new.',
    },
  },
  inputs: 'None.',
  outputs:
    'One object: apiEndpoint, authorityHost, tenantId, applicationId, ' +
    'clientSecret, caCertificatePath (absent with -Http).',
  view: [
    { name: 'ApiEndpoint', path: 'apiEndpoint' },
    { name: 'TenantId', path: 'tenantId' },
    { name: 'ApplicationId', path: 'applicationId' },
    { name: 'CaCertificatePath', path: 'caCertificatePath' },
  ],
  examples: [
    { title: 'Start the emulator with the default 2,500 customers', code: 'Start-PartnerEmulator' },
    {
      title: 'Start it on a fixed port with 100,000 customers and 100 ms per page',
      code: 'Start-PartnerEmulator -Port 8443 -Customers 100000 -PageLatency 100',
    },
    {
      title: 'Start it in the background and connect to it',
      code:
        'Start-PartnerEmulator > emulator.json &\n' +
        'sleep 1; e=$(head -n 1 emulator.json)\n' +
        'PARTNERCENTER_CLIENT_SECRET=$(echo "$e" | jq -r .clientSecret) ' +
        'Connect-Partner -ServicePrincipal -ApplicationId $(echo "$e" | jq -r ' +
        '.applicationId) ' +
        '-Tenant $(echo "$e" | jq -r .tenantId) -ApiEndpoint $(echo "$e" | jq -r ' +
        '.apiEndpoint) -AuthorityHost $(echo "$e" | jq -r .authorityHost) ' +
        '-CaCertificatePath $(echo "$e" | jq -r .caCertificatePath)',
      remarks: 'The first line of output has everything Connect-Partner needs.',
    },
    {
      title: 'Test a client against the link form used before 2021, with a BOM',
      code: 'Start-PartnerEmulator -NextLinkForm Relative -Bom',
    },
    {
      title:
        'One emulator for offline runbook development: connect once, restart it as often as needed',
      code: 'Start-PartnerEmulator -Port 8443 -StateDirectory ~/.partnercenter-emulator',
    },
  ],
  notes:
    'Test levers (POST unless noted): /_emulator/counters (GET), ' +
    '/_emulator/requests (GET), /_emulator/counters/reset, /_emulator/configure, ' +
    '/_emulator/devicecode/approve, /_emulator/refresh-tokens, ' +
    '/_emulator/refresh-tokens/revoke, /_emulator/access-tokens/revoke, ' +
    '/_emulator/continuation-tokens/invalidate, /_emulator/faults (GET, POST, DELETE).',
  async *run(p, context) {
    const emulator = await start({
      port: p.Port ?? 0,
      customers: p.Customers ?? 2500,
      seed: p.Seed ?? 1,
      http: p.Http ?? false,
      nextLinkForm: nextLinkForms[p.NextLinkForm ?? 'V1'],
      bom: p.Bom ?? false,
      accessTokenLifetimeSeconds: p.TokenLifetime ?? 3600,
      pageLatencyMs: p.PageLatency ?? 0,
      pageCacheMegabytes: p.PageCacheMegabytes ?? 0,
      autoApproveDeviceCode: p.AutoApproveDeviceCode ?? false,
      stateDir: p.StateDirectory,
    });
    try {
      context.verbose(
        `Emulator listening on ${emulator.apiEndpoint} with ${emulator.customerCount} ` +
          `customers (seed ${p.Seed ?? 1}).`,
      );
      yield {
        apiEndpoint: emulator.apiEndpoint,
        authorityHost: emulator.authorityHost,
        tenantId: emulator.tenantId,
        applicationId: emulator.applicationId,
        clientSecret: emulator.clientSecret,
        ...(emulator.caCertificatePath ? { caCertificatePath: emulator.caCertificatePath } : {}),
      };
      await untilAborted(context.signal);
      context.verbose('Stopping the emulator.');
    } finally {
      await emulator.close();
    }
  },
});
