import {
  CONTROL_KEY_HEADER,
  CONTROL_ROUTES,
  EMULATOR_DEFAULTS,
  startEmulator,
  type EmulatorOptions,
  type StartedEmulator,
} from '../lib/emulator/index.js';
import { PartnerCenterModuleError } from '../lib/common/errors.js';
import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import type { NextLinkForm } from '../lib/emulator/types.js';
import type { EmulatorConnectionInfo } from '../lib/emulator/connection-info.js';
import { writePrivateJson } from '../lib/session/atomic-file.js';
import { rmSync, statSync, type Stats } from 'node:fs';

const nextLinkForms: Record<'Mixed' | 'V1' | 'Relative' | 'Absolute', NextLinkForm> = {
  Mixed: 'mixed',
  V1: 'v1',
  Relative: 'relative',
  Absolute: 'absolute',
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

/**
 * The first line: what Connect-Partner needs, and what a person needs to try every other sign-in
 * by hand (curl, MSAL, Azure Identity): token endpoints, the user and its password, the public
 * client, the managed-identity endpoint and header, and where to get a client certificate.
 */
function connectionInfo(emulator: StartedEmulator): EmulatorConnectionInfo {
  const levers = `${emulator.apiEndpoint}/_emulator`;
  const tenant = `${emulator.authorityHost}/${emulator.tenantId}`;
  return {
    apiEndpoint: emulator.apiEndpoint,
    graphEndpoint: emulator.graphEndpoint,
    authorityHost: emulator.authorityHost,
    tenantId: emulator.tenantId,
    applicationId: emulator.applicationId,
    clientSecret: emulator.clientSecret,
    controlKey: emulator.controlKey,
    ...(emulator.caCertificatePath ? { caCertificatePath: emulator.caCertificatePath } : {}),
    tenantDomain: emulator.tenantDomain,
    tokenEndpoint: `${tenant}/oauth2/v2.0/token`,
    tokenEndpointV1: `${tenant}/oauth2/token`,
    user: {
      userPrincipalName: emulator.user.userPrincipalName,
      password: emulator.user.password,
      publicClientId: emulator.publicClientIds[0],
      approveDeviceCode: `POST ${levers}/devicecode/approve`,
    },
    managedIdentity: {
      IDENTITY_ENDPOINT: emulator.identityEndpoint,
      IDENTITY_HEADER: emulator.identityHeader,
      clientId: emulator.managedIdentityClientId,
      userAssignedClientId: emulator.userAssignedIdentityClientId,
      imdsServed: false,
    },
    clientCertificate: {
      create: `POST ${levers}/client-certificates`,
      register: `POST ${levers}/client-certificates {"certificatePem":"<PEM>"}`,
    },
  };
}

/**
 * -OutFile: the first object, written whole (temp file and rename, 0600: it holds the emulator's
 * client secret) once the emulator listens, so a shell that waits for the file to exist never
 * reads it half-written nor before the endpoints answer. Returns what identifies the file written.
 */
function writeOutFile(path: string, info: EmulatorConnectionInfo): Stats {
  try {
    writePrivateJson(path, info);
    return statSync(path);
  } catch (error) {
    throw new PartnerCenterModuleError(
      `Cannot write -OutFile '${path}': ${(error as Error).message}.`,
      { hint: 'Give a path in an existing directory you can write to.', cause: error },
    );
  }
}

/** Removes the -OutFile on the way out, unless something else has replaced it since. */
function removeOutFile(path: string, written: Stats): void {
  try {
    const now = statSync(path);
    if (now.ino === written.ino && now.dev === written.dev) rmSync(path, { force: true });
  } catch {
    // Already gone.
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export default defineCmdlet({
  name: 'Start-PartnerEmulator',
  synopsis:
    'Runs the built-in Partner Center, Microsoft Graph (GDAP) and Entra ID emulator on 127.0.0.1.',
  description: [
    'Starts a local stand-in for Partner Center, the Microsoft Graph GDAP API and their Entra ID ' +
      'sign-in, on 127.0.0.1 only, over HTTPS with a self-signed certificate it creates (or plain ' +
      'HTTP with -Http). Its data is derived from -Seed on demand, so the same seed gives the same ' +
      'answers and a million customers cost no memory. It first writes one object with everything ' +
      'needed to sign in, then serves until Ctrl-C or SIGTERM and exits cleanly. Query names are ' +
      'read in any case, as the services do.',
    'PARTNER CENTER (apiEndpoint, under /v1): customers (GET /v1/customers with seek paging, size ' +
      'and the CompanyName, Domain, IndirectReseller and IndirectCloudSolutionProvider filters; ' +
      'one customer by id); per customer: subscriptions (all, by id, ?order_id=; a PATCH of the ' +
      "whole resource with its etag changes one, seen by every later read, with the service's " +
      "rules: each SKU's quantity bounds, new commerce's 7-day cancellation window and " +
      'refundableQuantity, what each status allows, 202 with Location for a new-commerce ' +
      'status change, and the documented error codes), users (seek ' +
      "paging, one by id, deleted ones through the UserState filter), a user's licenses and " +
      'directory roles, and subscribed SKUs. The activity log (GET /v1/auditrecords: startDate, ' +
      'endDate within 90 days, the CompanyName, CustomerId and ResourceType filters, seek paging) ' +
      'holds seeded records and one record for every change made. Next links come in the forms ' +
      'the service writes, ' +
      "with and without /v1 (-NextLinkForm). Partner Center's error body, MS-RequestId and " +
      'MS-CorrelationId on every answer.',
    'MICROSOFT GRAPH (graphEndpoint, under /v1.0): GDAP relationships ' +
      '(tenantRelationships/delegatedAdminRelationships, one by id), their access assignments ' +
      'and their requests (list and one), with $top (up to 300), $filter, $select, $count, ' +
      "$orderby and $skipToken paging, Graph's error body, request-id, client-request-id and " +
      'OData-Version on every answer.',
    'ENTRA ID (authorityHost): the v2 and v1 OpenID configurations and token endpoints, instance ' +
      'and user realm discovery, and every sign-in below; tokens for Partner Center and Graph ' +
      'only: a scope of any other resource is refused with AADSTS500011, as Entra does.',
    'BILLING (apiEndpoint and graphEndpoint): invoices (GET /v1/invoices, one per month and ' +
      'currency, newest first; one by id with its PDF link), the v1 OneTime line items of ' +
      'invoices before February 2024 (seek paging with MS-ContinuationToken), and Microsoft ' +
      "Graph's billing exports (reconciliation and rated usage, billed and unbilled: POST, the " +
      'operation with Retry-After, the manifest with a new SAS at every read) whose gzip ' +
      'JSON-lines files a blob store on the same port serves, whole or by Range, with SAS ' +
      "tokens that expire (-SasLifetime) and the blob service's error bodies. The latest " +
      'invoice has -BillingLineItems line items, made as they are served; per invoice they add ' +
      'up to its total. docs/billing.md lists every route.',
    'FAULTS, for testing clients: POST /_emulator/faults with a script of rules fired on request ' +
      'numbers (target api, token, any, or the billing steps export, operation and blob; at, ' +
      'after, every, times) whose action answers a status ' +
      "(429 in the gateway's shape with Retry-After), breaks the connection (before the headers, " +
      'before the body, mid-body, or after serving a request whole: apply-then-drop, a write ' +
      'applied and its answer lost), delays or stalls an answer, expires every access token, revokes ' +
      'every refresh token or invalidates every continuation and skip token, truncates a blob ' +
      '(a gzip that ends early), expires every blob SAS, or makes an export stay running, fail ' +
      'or take its time; a rateLimit per ' +
      'tenant; -RateLimit and -ApiLatency at start. GET /_emulator/counters counts what was served ' +
      'and refused. ' +
      `These levers under /_emulator/ (listed in NOTES) need the object's controlKey in an ` +
      `${CONTROL_KEY_HEADER} header; without it they answer 401, with a wrong one 403.`,
    'Each way to sign in, by hand (curl, MSAL) or with Connect-Partner:',
    'APPLICATION SECRET: applicationId and clientSecret at tokenEndpoint ' +
      '(client_secret_post or Authorization: Basic), or at tokenEndpointV1 with ' +
      'resource=https://api.partnercenter.microsoft.com.',
    'CERTIFICATE: POST to clientCertificate.create (empty body) makes a ' +
      'certificate, registers it on the application and answers certificatePath ' +
      '(a PEM with key and certificate) for Connect-Partner -CertificatePath or ' +
      'MSAL; or register your own with {"certificatePem":"..."}.',
    'DEVICE CODE: start a device-code sign-in with any client id of ' +
      'user.publicClientId (the Azure CLI client, the default of Connect-Partner) ' +
      'or applicationId, then approve it with user.approveDeviceCode (or start ' +
      'with -AutoApproveDeviceCode).',
    'PASSWORD: the resource-owner password grant with user.userPrincipalName and user.password.',
    'BROWSER: the authorization endpoint shows an Approve link.',
    'REFRESH TOKEN: POST /_emulator/refresh-tokens issues one for the user.',
    'MANAGED IDENTITY: set IDENTITY_ENDPOINT and IDENTITY_HEADER from ' +
      'managedIdentity (the App Service style, api-version 2019-08-01); the IMDS ' +
      'style (169.254.169.254) is not served, as no local process can own that ' +
      'address.',
    "The secrets printed are the emulator's own demo credentials, valid nowhere " +
      'else. MSAL-based clients need a custom authority (authorityHost/tenantId), ' +
      'instance discovery turned off (or the emulator named as a known ' +
      'authority), and trust of caCertificatePath.',
  ].join('\n\n'),
  parameters: {
    Port: {
      type: 'int',
      range: [0, 65535],
      default: EMULATOR_DEFAULTS.port,
      description: 'TCP port on 127.0.0.1; 0 picks a free one.',
    },
    Customers: {
      type: 'int',
      range: [0, 2_000_000],
      default: EMULATOR_DEFAULTS.customers,
      description:
        'Number of customers in the data set (derived on demand: a million costs no memory).',
    },
    Seed: {
      type: 'int',
      default: EMULATOR_DEFAULTS.seed,
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
      choices: ['Mixed', 'V1', 'Relative', 'Absolute'],
      default: 'Mixed',
      description:
        'Shape of links.next.uri. Mixed, the default, writes /v1/customers?... on one page and ' +
        '/customers?... on the next, as the service has written both since 2021; V1 and ' +
        'Relative keep one of them throughout; Absolute writes https://<emulator>/v1/... (no ' +
        'documented form, one a client may meet behind a proxy).',
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
      default: EMULATOR_DEFAULTS.accessTokenLifetimeSeconds,
      description: 'Lifetime of issued access tokens, in seconds (short ones test renewal).',
    },
    ApiLatency: {
      type: 'int',
      range: [0, 600_000],
      default: EMULATOR_DEFAULTS.apiLatencyMs,
      aliases: ['PageLatency'],
      description:
        'Extra latency added to every Partner Center API response (pages, single ' +
        'resources, errors and 429s; not sign-ins), in milliseconds. Its former name ' +
        '-PageLatency still works.',
    },
    RateLimit: {
      type: 'int',
      range: [0, 1_000_000],
      default: EMULATOR_DEFAULTS.rateLimitPerMinute,
      description:
        "The gateway's rate limit per partner tenant (the token's tid), in requests " +
        'per minute; 0, the default, for none. Enforced as a bucket refilled ' +
        "continuously that holds one second's worth, so a burst cannot spend a " +
        "minute's allowance at once; a request over it gets the gateway's 429 " +
        '{"statusCode":429,"message":"Rate limit is exceeded. Try again in N ' +
        'seconds."} with Retry-After: N, and counts against the limit too, as ' +
        'Partner Center documents (retrying at once only waits longer). Change it ' +
        'while running with POST ' +
        '/_emulator/configure {"rateLimitPerMinute":N}; a fault script\'s rateLimit ' +
        '(POST /_emulator/faults) wins while it is set. GET /_emulator/counters ' +
        'shows the requests and 429s per tenant under api.',
    },
    PageCacheMegabytes: {
      type: 'int',
      range: [0, 65_536],
      default: EMULATOR_DEFAULTS.pageCacheMegabytes,
      description:
        'Keep the customers of recently served pages in memory, up to this many ' +
        'megabytes (about 0.3 MB per page of 500), so listing the same customers ' +
        'again costs the emulator little more than HTTPS. 0 derives every page anew.',
    },
    BillingLineItems: {
      type: 'int',
      range: [1, 100_000_000],
      default: EMULATOR_DEFAULTS.billingLineItems,
      description:
        'How many reconciliation line items the latest invoice has (older invoices ' +
        'somewhat fewer). Lines are made as they are served, so millions cost no memory; ' +
        'per invoice and currency they add up to the invoice total. Served by GET ' +
        '/v1/invoices and Microsoft Graph billing exports; docs/billing.md.',
    },
    SasLifetime: {
      type: 'int',
      range: [1, 604_800],
      default: EMULATOR_DEFAULTS.sasLifetimeSeconds,
      description:
        'How long the blob SAS of a billing export manifest stays valid, in seconds ' +
        '(default 12 hours); reading the manifest again gives a new one. Change it while ' +
        'running with POST /_emulator/configure {"sasLifetimeSeconds":N}.',
    },
    AutoApproveDeviceCode: {
      type: 'switch',
      description: 'Approve device-code sign-ins at once (a demo without a second terminal).',
    },
    OutFile: {
      type: 'path',
      description:
        'Write the first object (everything needed to sign in) to this file instead of ' +
        'stdout, once the emulator listens: it appears whole, in one step, so a script ' +
        'that started the emulator in the background can wait for the file and then read ' +
        'it. Written 0600 (it holds the demo client secret) and removed when the emulator ' +
        'stops.',
    },
    PassThru: {
      type: 'switch',
      description: 'With -OutFile, also write the first object to stdout.',
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
  outputType: 'EmulatorConnectionInfo',
  outputs: 'One object, on stdout or (with -OutFile) in that file.',
  terminalFormat: () => 'List',
  view: [
    { name: 'ApiEndpoint', path: 'apiEndpoint', kind: 'id' },
    { name: 'TenantId', path: 'tenantId', kind: 'id' },
    { name: 'ApplicationId', path: 'applicationId', kind: 'id' },
    { name: 'CaCertificatePath', path: 'caCertificatePath', kind: 'id', drop: 1 },
  ],
  examples: [
    { title: 'Start the emulator with the default 2,500 customers', code: 'Start-PartnerEmulator' },
    {
      title: 'Start it on a fixed port with 100,000 customers and 100 ms per response',
      code: 'Start-PartnerEmulator -Port 8443 -Customers 100000 -ApiLatency 100',
    },
    {
      title: 'Throttle as the gateway does: 3,000 requests a minute per partner tenant',
      code: 'Start-PartnerEmulator -ApiLatency 100 -RateLimit 3000',
      remarks:
        `Lower it mid-run with curl -k -H "${CONTROL_KEY_HEADER}: <controlKey>" -X POST ` +
        '<apiEndpoint>/_emulator/configure -d \'{"rateLimitPerMinute":1200}\'; GET ' +
        '<apiEndpoint>/_emulator/counters (with the same header) counts the 429s.',
    },
    {
      title: 'Start it in the background and connect to it (bash or zsh, with jq)',
      code:
        'rm -f emulator.json; Start-PartnerEmulator -OutFile emulator.json &\n' +
        'until [ -s emulator.json ] || ! kill -0 $! 2>/dev/null; do sleep 0.2; done\n' +
        'export PARTNERCENTER_CLIENT_SECRET=$(jq -r .clientSecret emulator.json)\n' +
        'Connect-Partner -ServicePrincipal -ApplicationId $(jq -r .applicationId emulator.json) \\\n' +
        '  -Tenant $(jq -r .tenantId emulator.json) -ApiEndpoint $(jq -r .apiEndpoint emulator.json) \\\n' +
        '  -AuthorityHost $(jq -r .authorityHost emulator.json) \\\n' +
        '  -GraphEndpoint $(jq -r .graphEndpoint emulator.json) \\\n' +
        '  -CaCertificatePath $(jq -r .caCertificatePath emulator.json)',
      remarks:
        'emulator.json exists only once the emulator listens, and whole; the loop also ends ' +
        'if the emulator could not start. It has everything Connect-Partner needs.',
    },
    {
      title: 'Test a client against one link form only (the one used before 2021), with a BOM',
      code: 'Start-PartnerEmulator -NextLinkForm Relative -Bom',
    },
    {
      title:
        'One emulator for offline runbook development: connect once, restart it as often as needed',
      code: 'Start-PartnerEmulator -Port 8443 -StateDirectory ~/.partnercenter-emulator',
    },
  ],
  notes:
    `Test levers, under the API endpoint, each with the header ${CONTROL_KEY_HEADER}: ` +
    `<controlKey>: ${CONTROL_ROUTES.join(', ')}.`,
  async *run(p, context) {
    // The declared defaults are bound already; a caller in code that leaves one out gets the
    // emulator's, which are the same EMULATOR_DEFAULTS.
    const emulator = await start({
      port: p.Port,
      customers: p.Customers,
      seed: p.Seed,
      http: p.Http,
      nextLinkForm: p.NextLinkForm === undefined ? undefined : nextLinkForms[p.NextLinkForm],
      bom: p.Bom,
      accessTokenLifetimeSeconds: p.TokenLifetime,
      apiLatencyMs: p.ApiLatency,
      rateLimitPerMinute: p.RateLimit,
      pageCacheMegabytes: p.PageCacheMegabytes,
      billingLineItems: p.BillingLineItems,
      sasLifetimeSeconds: p.SasLifetime,
      autoApproveDeviceCode: p.AutoApproveDeviceCode,
      stateDir: p.StateDirectory,
    });
    let written: Stats | undefined;
    try {
      context.verbose(
        `Emulator listening on ${emulator.apiEndpoint} with ${emulator.customerCount} ` +
          `customers (seed ${emulator.seed}).`,
      );
      const info = connectionInfo(emulator);
      if (p.OutFile === undefined) yield info;
      else {
        written = writeOutFile(p.OutFile, info);
        if (p.PassThru) yield info;
      }
      await untilAborted(context.signal);
      context.verbose('Stopping the emulator.');
    } finally {
      if (p.OutFile !== undefined && written !== undefined) removeOutFile(p.OutFile, written);
      await emulator.close();
    }
  },
});
