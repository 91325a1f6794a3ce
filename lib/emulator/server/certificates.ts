/**
 * Certificates the emulator makes with `selfsigned`: its own TLS certificate (P-256, which takes
 * milliseconds where RSA takes hundreds; SAN IP 127.0.0.1 and DNS localhost) that clients trust as
 * their CA, and RSA client certificates for the certificate sign-in flow (MSAL signs RS256/PS256).
 * `selfsigned` (with its ASN.1 and X.509 libraries) is imported only when a certificate is made:
 * loading it costs more CPU than making the certificate, and an emulator given its certificate
 * (`serverCertificate`, as the specs start it) or reusing a kept one never needs it.
 */
import { createHash, generateKeyPair, X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeAtomically } from './state-files.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PemPair {
  cert: string;
  key: string;
}

export const SERVER_CERTIFICATE_FILE = 'server-certificate.pem';
const SERVER_KEY_FILE = 'server-key.pem';

/**
 * The TLS certificate kept in a state directory, so that a restarted emulator (same directory,
 * same -Port) is still trusted by contexts saved against it. Renewed when it has less than a day
 * left. Written atomically; concurrent first starts may each write one, and the last one wins for
 * later starts while every running instance keeps serving the pair it loaded.
 */
export async function persistentServerCertificate(
  stateDir: string,
): Promise<PemPair & { path: string }> {
  const certificatePath = path.join(stateDir, SERVER_CERTIFICATE_FILE);
  const keyPath = path.join(stateDir, SERVER_KEY_FILE);
  try {
    const [cert, key] = await Promise.all([
      fs.readFile(certificatePath, 'utf8'),
      fs.readFile(keyPath, 'utf8'),
    ]);
    if (Date.parse(new X509Certificate(cert).validTo) - Date.now() > DAY_MS)
      return { cert, key, path: certificatePath };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const fresh = await createServerCertificate();
  // The key first, so a certificate on disk always has its key beside it.
  await writeAtomically(keyPath, fresh.key, 0o600);
  await writeAtomically(certificatePath, fresh.cert, 0o644);
  return { ...fresh, path: certificatePath };
}

/**
 * selfsigned, loaded on first use. It is CommonJS: Node's import gives its functions as named
 * exports, esbuild's bundle only as the default export (its module.exports).
 */
async function selfsigned(): Promise<typeof import('selfsigned')> {
  const module = await import('selfsigned');
  return (module as { default?: typeof import('selfsigned') }).default ?? module;
}

export async function createServerCertificate(): Promise<PemPair> {
  const now = Date.now();
  const { generate } = await selfsigned();
  const pems = await generate(
    [{ name: 'commonName', value: 'PartnerCenter emulator (127.0.0.1)' }],
    {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: new Date(now - DAY_MS),
      notAfterDate: new Date(now + 30 * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 7, ip: '127.0.0.1' },
            { type: 2, value: 'localhost' },
          ],
        },
      ],
    },
  );
  return { cert: pems.cert, key: pems.private };
}

function rsaKeyPair(): Promise<{ privateKey: string; publicKey: string }> {
  return new Promise((resolve, reject) =>
    generateKeyPair(
      'rsa',
      {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      },
      (error, publicKey, privateKey) =>
        error ? reject(error) : resolve({ privateKey, publicKey }),
    ),
  );
}

export async function createClientCertificate(commonName: string): Promise<PemPair> {
  const now = Date.now();
  const [keyPair, { generate }] = await Promise.all([rsaKeyPair(), selfsigned()]);
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'rsa',
    algorithm: 'sha256',
    keyPair,
    notBeforeDate: new Date(now - DAY_MS),
    notAfterDate: new Date(now + 365 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** SHA-1 thumbprint in upper-case hex, as the Azure portal lists an app's certificates. */
export function portalThumbprint(certificate: X509Certificate): string {
  return createHash('sha1').update(certificate.raw).digest('hex').toUpperCase();
}
