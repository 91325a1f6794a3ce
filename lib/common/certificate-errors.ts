/**
 * How an untrusted TLS certificate shows up, so every layer gives the same advice (pass the CA
 * certificate) instead of "check the network".
 */

/**
 * Node's error codes for a peer certificate that does not verify: CERT_HAS_EXPIRED,
 * DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_VERIFY_LEAF_SIGNATURE,
 * UNABLE_TO_GET_ISSUER_CERT_LOCALLY, ERR_TLS_CERT_ALTNAME_INVALID, ...
 */
const CERTIFICATE_CODE = /CERT|SELF_SIGNED|VERIFY|ISSUER|TLS/i;

/** The same failure once a library has turned the error into a message and dropped its code. */
const CERTIFICATE_WORDS = /self[- ]signed|unable to verify|certificate/i;

export function isCertificateErrorCode(code: string | undefined): boolean {
  return code !== undefined && CERTIFICATE_CODE.test(code);
}

export function mentionsCertificateProblem(text: string): boolean {
  return CERTIFICATE_WORDS.test(text);
}
