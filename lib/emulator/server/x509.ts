/**
 * A self-signed X.509 v3 certificate written out in DER (RFC 5280) and signed with node:crypto:
 * the few fields and extensions the emulator's certificates need, no more. Node can read and check
 * certificates (`X509Certificate`) but not make them; a general library for it (selfsigned, with
 * its ASN.1 and X.509 libraries) cost the emulator's process about 0.25 s of CPU to load for one
 * certificate that takes a millisecond to sign.
 */
import { type KeyObject, randomBytes, sign } from 'node:crypto';

/** What a certificate says besides its key: who it is, when it is valid, what it may do. */
export interface CertificateFields {
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  /**
   * basicConstraints (critical): a CA may sign certificates, which a client's trust anchor must;
   * keyUsage (critical) follows: digitalSignature always, keyCertSign for a CA.
   */
  ca: boolean;
  /** extKeyUsage: the TLS server or the client it authenticates. */
  purpose: 'serverAuth' | 'clientAuth';
  /** subjectAltName: IP addresses and DNS names the certificate is for (a server's). */
  ipAddresses?: readonly string[];
  dnsNames?: readonly string[];
}

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** The certificate, PEM-encoded, for `publicKey`, signed by its own `privateKey` with SHA-256. */
export function selfSignedCertificate(
  fields: CertificateFields,
  publicKey: KeyObject,
  privateKey: KeyObject,
): string {
  const signatureAlgorithm =
    privateKey.asymmetricKeyType === 'ec'
      ? sequence(oid(OID.ecdsaWithSha256))
      : sequence(oid(OID.sha256WithRsa), NULL);
  const name = sequence(set(sequence(oid(OID.commonName), utf8String(fields.commonName))));
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serialNumber()),
    signatureAlgorithm,
    name,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions(fields))),
  );
  // ECDSA signatures come DER-encoded (Node's default), as X.509 wants them.
  const certificate = sequence(tbs, signatureAlgorithm, bitString(sign('sha256', tbs, privateKey)));
  const base64 = certificate.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

function extensions(fields: CertificateFields): Buffer[] {
  const extension = (id: string, critical: boolean, value: Buffer) =>
    sequence(oid(id), ...(critical ? [TRUE] : []), octetString(value));
  // keyUsage bits, first bit first: digitalSignature (0), keyCertSign (5); unused trailing bits.
  const keyUsage = fields.ca
    ? tlv(0x03, Buffer.from([2, 0b1000_0100]))
    : tlv(0x03, Buffer.from([7, 0b1000_0000]));
  const altNames = [
    // [7] iPAddress and [2] dNSName, both implicitly tagged.
    ...(fields.ipAddresses ?? []).map((ip) => tlv(0x87, Buffer.from(ip.split('.').map(Number)))),
    ...(fields.dnsNames ?? []).map((dns) => tlv(0x82, Buffer.from(dns, 'ascii'))),
  ];
  return [
    // cA FALSE is the default, which DER leaves out.
    extension(OID.basicConstraints, true, fields.ca ? sequence(TRUE) : sequence()),
    extension(OID.keyUsage, true, keyUsage),
    extension(OID.extKeyUsage, false, sequence(oid(OID[fields.purpose]))),
    ...(altNames.length > 0 ? [extension(OID.subjectAltName, false, sequence(...altNames))] : []),
  ];
}

/** 16 random bytes, positive and without a leading zero byte, as RFC 5280 asks. */
function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes;
}

/** UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280, 4.1.2.5), to the second. */
function time(date: Date): Buffer {
  const digits = date.toISOString().slice(0, 19).replace(/[-:T]/g, '');
  const year = date.getUTCFullYear();
  return year < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
    : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

/** One DER element: tag, definite length, contents. */
function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const length: number[] = [];
  for (let rest = body.length; rest > 0; rest = Math.floor(rest / 256)) length.unshift(rest % 256);
  const header = body.length < 0x80 ? [body.length] : [0x80 | length.length, ...length];
  return Buffer.concat([Buffer.from([tag, ...header]), body]);
}

const sequence = (...contents: Buffer[]) => tlv(0x30, ...contents);
const set = (...contents: Buffer[]) => tlv(0x31, ...contents);
const explicit = (tagNumber: number, content: Buffer) => tlv(0xa0 + tagNumber, content);
const integer = (bytes: Buffer) => tlv(0x02, bytes);
const octetString = (bytes: Buffer) => tlv(0x04, bytes);
const utf8String = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
/** A BIT STRING of whole bytes (no unused bits). */
const bitString = (bytes: Buffer) => tlv(0x03, Buffer.from([0]), bytes);
const TRUE = tlv(0x01, Buffer.from([0xff]));
const NULL = tlv(0x05);

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    // Base 128, most significant group first, every group but the last with its top bit set.
    const groups = [arc % 128];
    for (let high = Math.floor(arc / 128); high > 0; high = Math.floor(high / 128))
      groups.unshift(0x80 | (high % 128));
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}
