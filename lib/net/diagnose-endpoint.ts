/**
 * MSAL reports an unreachable authority and an untrusted certificate with the same
 * `endpoints_resolution_error`. One TLS handshake of our own tells them apart.
 */
import { connect as tlsConnect } from 'node:tls';
import { connect as netConnect, isIP } from 'node:net';
import {
  isCertificateErrorCode,
  mentionsCertificateProblem,
} from '../common/certificate-errors.js';
import { trustingExtraCa } from './extra-ca.js';

export type EndpointProblem =
  | 'untrusted certificate'
  | 'connection refused'
  | 'host name not found'
  | 'timed out'
  | 'reachable';

export function diagnoseEndpoint(
  url: URL,
  extraCa?: string,
  timeoutMs = 3000,
): Promise<EndpointProblem> {
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket =
      url.protocol === 'https:'
        ? tlsConnect({
            host,
            port,
            servername: isIP(host) ? undefined : host,
            ...trustingExtraCa(extraCa || undefined),
          })
        : netConnect({ host, port });
    const done = (problem: EndpointProblem) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done('timed out'));
    socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => done('reachable'));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') return done('connection refused');
      if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')
        return done('host name not found');
      if (isCertificateErrorCode(error.code) || mentionsCertificateProblem(error.message))
        return done('untrusted certificate');
      done('connection refused');
    });
  });
}
