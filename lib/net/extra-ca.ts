/**
 * TLS options that trust one extra CA (the emulator's, a private endpoint's) on top of Node's own
 * roots. The documented `ca: [...rootCertificates, extra]` costs 40-100 ms per process (OpenSSL
 * parses the 140 roots from PEM one by one), and an https.Agent copies every `ca` string into the
 * pool key it computes for each request: about 1 ms per API call. A secure context that starts
 * from the roots Node already holds and adds the one extra certificate avoids both.
 */
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

type TrustOptions = { secureContext: SecureContext } | { ca: string[] } | Record<string, never>;

const contexts = new Map<string, SecureContext>();

export function trustingExtraCa(extraCa: string | Buffer | undefined): TrustOptions {
  if (extraCa === undefined) return {};
  const pem = extraCa.toString();
  let secureContext = contexts.get(pem);
  if (!secureContext) {
    secureContext = createSecureContext();
    // `context.addCACert` is what Node's own createSecureContext calls for each `ca`; it copies the
    // shared root store before adding, so other connections are untouched. Should a Node version
    // lack it, the documented (slower) form still trusts the same certificates.
    const native = (secureContext as unknown as { context?: { addCACert?: (pem: string) => void } })
      .context;
    if (typeof native?.addCACert !== 'function') return { ca: [...rootCertificates, pem] };
    native.addCACert(pem);
    contexts.set(pem, secureContext);
  }
  return { secureContext };
}
