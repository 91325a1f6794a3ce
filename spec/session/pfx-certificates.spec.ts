/**
 * A .pfx certificate as partners really have them, signed in with against the emulator through the
 * real ClientCertificateCredential: one exported by older Windows (PKCS#12 with RC2-40 and triple
 * DES, made here with `openssl pkcs12 -export -legacy`) signs in, as a modern (AES) one does; a
 * wrong password, a file that is not PKCS#12 and a machine without openssl's legacy provider each
 * get their own one line. The openssl child that converts it sees only the variables it needs:
 * the client secret and everything else of the run stay out of it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServerCertificate } from '../../lib/emulator/server/certificates.js';
import { opensslEnvironment } from '../../lib/session/certificate-file.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

const PASSWORD = 'pfx-pass-1';
let partner: EmulatedPartner;
let certificatePath: string;

beforeAll(async () => {
  partner = await emulatedPartner({}, false);
  certificatePath = (await partner.emulator.createClientCertificate()).certificatePath;
  partner.env.PARTNERCENTER_CERTIFICATE_PASSWORD = PASSWORD;
});
afterAll(() => partner.dispose());

/** The emulator's registered certificate exported as PKCS#12 (`extra`: the algorithms). */
function exportPfx(name: string, ...extra: string[]): string {
  const pfx = join(partner.configDir, name);
  execFileSync('openssl', [
    'pkcs12',
    '-export',
    ...extra,
    '-in',
    certificatePath,
    '-out',
    pfx,
    '-passout',
    `pass:${PASSWORD}`,
  ]);
  return pfx;
}

function connectWith(pfx: string, contextName: string) {
  return partner.runInProcess('Connect-Partner', [
    '-ServicePrincipal',
    '-ApplicationId',
    partner.emulator.applicationId,
    ...partner.emulator.connectEndpoints,
    '-CertificatePath',
    pfx,
    '-ContextName',
    contextName,
  ]);
}

/** Runs `body` with process variables set (openssl's child inherits from this process). */
async function withProcessEnv<T>(
  variables: Record<string, string>,
  body: () => Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(variables).map((key) => [key, process.env[key]]));
  Object.assign(process.env, variables);
  try {
    return await body();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

describe('a PKCS#12 file exported by older Windows (RC2-40, triple DES)', () => {
  let legacy: string;
  beforeAll(() => {
    legacy = exportPfx('legacy.pfx', '-legacy');
  });

  it('is one that OpenSSL 3 refuses without -legacy, even with the right password', () => {
    expect(() =>
      execFileSync('openssl', ['pkcs12', '-in', legacy, '-nodes', '-passin', `pass:${PASSWORD}`], {
        stdio: 'pipe',
      }),
    ).toThrow(/unsupported|RC2/i);
  });

  it('signs in', async () => {
    const connected = await connectWith(legacy, 'legacy-pfx');
    expect(connected.stderr).toBe('');
    expect(connected.code).toBe(0);
    expect(parseNdjson(connected.stdout)[0]).toMatchObject({
      name: 'legacy-pfx',
      authentication: 'ServicePrincipalCertificate',
    });
  });

  it('with a wrong password says the password is wrong', async () => {
    partner.env.PARTNERCENTER_CERTIFICATE_PASSWORD = 'not-it';
    const refused = await connectWith(legacy, 'legacy-wrong').finally(
      () => (partner.env.PARTNERCENTER_CERTIFICATE_PASSWORD = PASSWORD),
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `Connect-Partner: Cannot open the PFX file '${legacy}': wrong -CertificatePassword (its ` +
        'integrity check failed). Check -CertificatePassword (or ' +
        'PARTNERCENTER_CERTIFICATE_PASSWORD).\n',
    );
  });

  it("says what is missing where openssl's legacy provider cannot be loaded", async () => {
    const refused = await withProcessEnv({ OPENSSL_MODULES: '/nonexistent' }, () =>
      connectWith(legacy, 'legacy-no-provider'),
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /it is encrypted with legacy algorithms \(RC2, as older Windows exports\), and this openssl's legacy provider is not installed\. Install openssl's legacy provider/,
    );
  });
});

describe('other .pfx files', () => {
  it('a modern (AES) one signs in', async () => {
    const connected = await connectWith(exportPfx('modern.pfx'), 'modern-pfx');
    expect(connected.stderr).toBe('');
    expect(connected.code).toBe(0);
  });

  it('a file that is not PKCS#12 is named as such, not as a wrong password', async () => {
    const notPfx = join(partner.configDir, 'not.pfx');
    writeFileSync(notPfx, readFileSync(certificatePath));
    const refused = await connectWith(notPfx, 'not-pfx');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      `Connect-Partner: Cannot open the PFX file '${notPfx}': openssl cannot read it as PKCS#12 (`,
    );
    expect(refused.stderr).not.toMatch(/password/i);
  });
});

describe('the certificates the emulator writes itself (lib/emulator/server/x509.ts)', () => {
  it('are what they say, and its TLS one passes openssl verify -x509_strict', async () => {
    const server = await createServerCertificate();
    const tls = new X509Certificate(server.cert);
    const pem = readFileSync(certificatePath, 'utf8');
    const client = new X509Certificate(
      /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(pem)![0],
    );
    const described = (certificate: X509Certificate) => ({
      ca: certificate.ca,
      subject: certificate.subject,
      subjectAltName: certificate.subjectAltName,
      extendedKeyUsage: certificate.keyUsage,
      selfSigned: certificate.verify(certificate.publicKey),
    });
    expect(described(tls)).toEqual({
      ca: true,
      subject: 'CN=PartnerCenter emulator (127.0.0.1)',
      subjectAltName: 'IP Address:127.0.0.1, DNS:localhost',
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
      selfSigned: true,
    });
    expect(tls.checkPrivateKey(createPrivateKey(server.key))).toBe(true);
    expect(described(client)).toMatchObject({
      ca: false,
      subjectAltName: undefined,
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.2'],
      selfSigned: true,
    });
    // RFC 5280's rules as openssl enforces them (what a strict TLS client such as Python 3.13's
    // default context asks of a trust anchor).
    const tlsPath = join(partner.configDir, 'emulator-tls.pem');
    writeFileSync(tlsPath, server.cert);
    const verified = execFileSync(
      'openssl',
      ['verify', '-x509_strict', '-CAfile', tlsPath, tlsPath],
      {
        encoding: 'utf8',
      },
    );
    expect(verified).toBe(`${tlsPath}: OK\n`);
  });
});

describe('the openssl child', () => {
  it('gets PATH, its own settings and the password, nothing else of the environment', () => {
    const child = opensslEnvironment('pw', {
      PATH: '/usr/bin',
      OPENSSL_MODULES: '/opt/ossl',
      HOME: '/root',
      PARTNERCENTER_CLIENT_SECRET: 'secret',
      AWS_SECRET_ACCESS_KEY: 'other-secret',
    });
    expect(child).toEqual({
      PATH: '/usr/bin',
      OPENSSL_MODULES: '/opt/ossl',
      PARTNERCENTER_PFX_PASSWORD: 'pw',
    });
  });

  it('of a real sign-in sees no secret of the run', async () => {
    // An openssl first on PATH that records its environment, then is the real one.
    const bin = join(partner.configDir, 'bin');
    const seen = join(partner.configDir, 'openssl-env.txt');
    const real = execFileSync('sh', ['-c', 'command -v openssl'], { encoding: 'utf8' }).trim();
    execFileSync('mkdir', ['-p', bin]);
    writeFileSync(join(bin, 'openssl'), `#!/bin/sh\nenv > '${seen}'\nexec '${real}' "$@"\n`);
    chmodSync(join(bin, 'openssl'), 0o755);
    const connected = await withProcessEnv(
      {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        PARTNERCENTER_CLIENT_SECRET: 'process-client-secret',
        UNRELATED_TOKEN: 'unrelated-token-value',
      },
      () => connectWith(exportPfx('watched.pfx'), 'watched-pfx'),
    );
    expect(connected.stderr).toBe('');
    expect(connected.code).toBe(0);
    const names = readFileSync(seen, 'utf8')
      .split('\n')
      .map((line) => line.split('=')[0])
      .filter((name) => name !== '' && !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(name!))
      .sort();
    // sh adds PWD, SHLVL and _ itself; everything else came from the module: the password, PATH
    // and (where this machine sets them) openssl's own settings and the library path.
    expect(names).toEqual(expect.arrayContaining(['PARTNERCENTER_PFX_PASSWORD', 'PATH']));
    const allowed = /^(PARTNERCENTER_PFX_PASSWORD|PATH|OPENSSL_\w+|(DY)?LD_LIBRARY_PATH)$/;
    expect(names.filter((name) => !allowed.test(name!))).toEqual([]);
    expect(readFileSync(seen, 'utf8')).not.toMatch(/process-client-secret|unrelated-token-value/);
  });
});
