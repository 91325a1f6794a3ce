/**
 * Certificates the emulator makes: its own TLS certificate (P-256, which takes milliseconds where
 * RSA takes hundreds; SAN IP 127.0.0.1 and DNS localhost) that clients trust as their CA, and RSA
 * client certificates for the certificate sign-in flow (MSAL signs RS256/PS256). Both are written
 * by x509.ts on node:crypto; an emulator given its certificate (`serverCertificate`, as the specs
 * start it) or reusing a kept one makes none.
 */
import { createHash, generateKeyPair, type KeyObject, X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeAtomically } from './state-files.js';
import { selfSignedCertificate } from './x509.js';

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

export async function createServerCertificate(): Promise<PemPair> {
  const now = Date.now();
  const { publicKey, privateKey } = await keyPair('ec');
  const cert = selfSignedCertificate(
    {
      commonName: 'PartnerCenter emulator (127.0.0.1)',
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 30 * DAY_MS),
      ca: true,
      purpose: 'serverAuth',
      ipAddresses: ['127.0.0.1'],
      dnsNames: ['localhost'],
    },
    publicKey,
    privateKey,
  );
  return { cert, key: pkcs8(privateKey) };
}

export async function createClientCertificate(commonName: string): Promise<PemPair> {
  const now = Date.now();
  const { publicKey, privateKey } = await keyPair('rsa');
  const cert = selfSignedCertificate(
    {
      commonName,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 365 * DAY_MS),
      ca: false,
      purpose: 'clientAuth',
    },
    publicKey,
    privateKey,
  );
  return { cert, key: pkcs8(privateKey) };
}

/** P-256 for the TLS certificate (milliseconds), RSA-2048 for a client's (MSAL signs RS256). */
function keyPair(type: 'ec' | 'rsa'): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject) =>
      error ? reject(error) : resolve({ publicKey, privateKey });
    if (type === 'ec') generateKeyPair('ec', { namedCurve: 'P-256' }, done);
    else generateKeyPair('rsa', { modulusLength: 2048 }, done);
  });
}

const pkcs8 = (privateKey: KeyObject) =>
  privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** SHA-1 thumbprint in upper-case hex, as the Azure portal lists an app's certificates. */
export function portalThumbprint(certificate: X509Certificate): string {
  return createHash('sha1').update(certificate.raw).digest('hex').toUpperCase();
}
