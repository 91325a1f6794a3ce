/**
 * Test-only keys, read once per spec file: the emulator's token-signing key and a TLS certificate
 * for 127.0.0.1 (spec/fixtures/emulator). Making them instead costs an RSA-2048 key (~100 ms of
 * CPU) per emulator, and a P-256 key and certificate (a few ms) per server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function fixture(name: string): string {
  return readFileSync(join(import.meta.dirname, '..', 'fixtures', 'emulator', name), 'utf8');
}

/** An RSA-2048 key (PKCS#8 PEM); it signs emulator tokens and nothing else. */
export const FIXTURE_SIGNING_KEY = fixture('signing-key.pem');

/**
 * A self-signed EC P-256 certificate for IP 127.0.0.1 and DNS localhost, valid 2025-2125 (CA, server
 * authentication, as lib/emulator/certificates.ts makes them), and its key.
 */
export const FIXTURE_SERVER_CERTIFICATE = {
  cert: fixture('server-certificate.pem'),
  key: fixture('server-key.pem'),
};

/**
 * A client certificate for the certificate sign-in: RSA-2048, valid 2025-2125, client
 * authentication, as the emulator's createClientCertificate makes them; the PEM holds the private
 * key, then the certificate (what Connect-Partner -CertificatePath reads). A spec registers it on
 * its emulator (`registerClientCertificate(FIXTURE_CLIENT_CERTIFICATE.cert)`) instead of making
 * one, which costs a new RSA key.
 */
const clientPem = fixture('client-certificate.pem');
export const FIXTURE_CLIENT_CERTIFICATE = {
  pem: clientPem,
  cert: clientPem.slice(clientPem.indexOf('-----BEGIN CERTIFICATE-----')),
};
