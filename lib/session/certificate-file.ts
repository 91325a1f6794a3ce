/**
 * Certificates for service-principal sign-in. @azure/identity takes PEM (certificate and private
 * key); a PFX/PKCS#12 file is converted in memory with the machine's openssl, and the result never
 * touches the disk.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { UsageError } from '../common/errors.js';

export async function loadCertificatePem(
  path: string,
  password: string | undefined,
): Promise<string> {
  const extension = extname(path).toLowerCase();
  if (extension === '.pfx' || extension === '.p12') return convertPfx(path, password);
  const pem = readFileSync(path, 'utf8');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem) || !/-----BEGIN CERTIFICATE-----/.test(pem)) {
    throw new UsageError(
      `'${path}' must hold both the certificate and its private key in PEM form.`,
      {
        hint: 'Concatenate them: cat cert.pem key.pem > both.pem, or give the .pfx file.',
      },
    );
  }
  return pem;
}

function convertPfx(path: string, password: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    // The password reaches openssl through its environment, never its (world-readable) command
    // line.
    execFile(
      'openssl',
      ['pkcs12', '-in', path, '-nodes', '-passin', 'env:PARTNERCENTER_PFX_PASSWORD'],
      { env: { ...process.env, PARTNERCENTER_PFX_PASSWORD: password ?? '' }, maxBuffer: 1 << 20 },
      (error, stdout) => {
        if (!error) return resolve(stdout);
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          new UsageError(
            missing
              ? `Cannot read the PFX file '${path}': openssl is not installed.`
              : `Cannot open the PFX file '${path}': wrong -CertificatePassword or not a PKCS#12 file.`,
            {
              hint: missing
                ? 'Install openssl, or convert it to PEM elsewhere: openssl pkcs12 -in ' +
                  'cert.pfx -nodes -out cert.pem.'
                : 'Check -CertificatePassword (or PARTNERCENTER_CERTIFICATE_PASSWORD).',
            },
          ),
        );
      },
    );
  });
}
