/**
 * Certificates for service-principal sign-in. @azure/identity takes PEM (certificate and private
 * key); a PFX/PKCS#12 file is converted in memory with the machine's openssl, and the result never
 * touches the disk.
 *
 * Windows before Server 2019 (and later ones unless AES is chosen) export PKCS#12 with the
 * PKCS#12 v1 algorithms: the certificates under 40-bit RC2, the key under triple DES. OpenSSL 3
 * moved RC2 into its "legacy" provider, so it refuses such a file ("unsupported ... RC2-40-CBC")
 * even with the right password; read again with `-legacy`, it opens. OpenSSL 1.1 and LibreSSL read
 * it at once and do not know `-legacy`, so it is only tried after that refusal.
 */
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

/** The variable that carries the password to openssl (`-passin env:...`). */
const PASSWORD_VARIABLE = 'PARTNERCENTER_PFX_PASSWORD';

/**
 * What openssl may need of this process's environment: where programs and libraries are, its own
 * configuration and provider modules (the legacy one among them), and Windows' system root. The
 * client secret, refresh token and every other variable stay out of the child.
 */
const OPENSSL_ENVIRONMENT = [
  'PATH',
  'SystemRoot',
  'SYSTEMROOT',
  'OPENSSL_CONF',
  'OPENSSL_MODULES',
  'OPENSSL_ENGINES',
  'LD_LIBRARY_PATH',
  'DYLD_LIBRARY_PATH',
] as const;

/** The child's whole environment: the few variables above, and the password. */
export function opensslEnvironment(
  password: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const child: NodeJS.ProcessEnv = {};
  for (const name of OPENSSL_ENVIRONMENT) if (env[name] !== undefined) child[name] = env[name];
  child[PASSWORD_VARIABLE] = password ?? '';
  return child;
}

interface OpensslResult {
  stdout: string;
  stderr: string;
  failed?: NodeJS.ErrnoException;
}

async function runOpenssl(
  args: readonly string[],
  password: string | undefined,
): Promise<OpensslResult> {
  // Imported here: only a .pfx needs it, and loading node:child_process cost every command that
  // reads a context about 1.5 ms of CPU at start-up.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    // The password reaches openssl through its environment, never its (world-readable) command
    // line.
    execFile(
      'openssl',
      args,
      { env: opensslEnvironment(password), maxBuffer: 1 << 20 },
      (error, stdout, stderr) =>
        resolve({ stdout, stderr, ...(error ? { failed: error as NodeJS.ErrnoException } : {}) }),
    );
  });
}

/** OpenSSL 3 without its legacy provider loaded: an algorithm of the file is "unsupported". */
const LEGACY_ALGORITHM = /unsupported|RC2|RC4|DES-CBC\b/i;
/** The legacy provider could not be loaded (not installed, or OPENSSL_MODULES points elsewhere). */
const NO_LEGACY_PROVIDER = /unable to load provider legacy|name=legacy/i;
/** The integrity check with the given password failed: the password is wrong. */
const WRONG_PASSWORD = /mac verify|invalid password/i;

async function convertPfx(path: string, password: string | undefined): Promise<string> {
  const args = ['pkcs12', '-in', path, '-nodes', '-passin', `env:${PASSWORD_VARIABLE}`];
  let result = await runOpenssl(args, password);
  if (result.failed && !WRONG_PASSWORD.test(result.stderr) && LEGACY_ALGORITHM.test(result.stderr))
    result = await runOpenssl([...args, '-legacy'], password);
  if (!result.failed) return result.stdout;
  throw pfxError(path, result);
}

function pfxError(path: string, result: OpensslResult): UsageError {
  if (result.failed?.code === 'ENOENT') {
    return new UsageError(`Cannot read the PFX file '${path}': openssl is not installed.`, {
      hint:
        'Install openssl, or convert it to PEM elsewhere: openssl pkcs12 -in ' +
        'cert.pfx -nodes -out cert.pem.',
    });
  }
  if (WRONG_PASSWORD.test(result.stderr)) {
    return new UsageError(
      `Cannot open the PFX file '${path}': wrong -CertificatePassword (its integrity check failed).`,
      { hint: 'Check -CertificatePassword (or PARTNERCENTER_CERTIFICATE_PASSWORD).' },
    );
  }
  if (NO_LEGACY_PROVIDER.test(result.stderr)) {
    return new UsageError(
      `Cannot open the PFX file '${path}': it is encrypted with legacy algorithms (RC2, as ` +
        "older Windows exports), and this openssl's legacy provider is not installed.",
      {
        hint:
          "Install openssl's legacy provider (or point OPENSSL_MODULES at it), or export the " +
          'certificate again with AES256-SHA256 encryption.',
      },
    );
  }
  return new UsageError(
    `Cannot open the PFX file '${path}': openssl cannot read it as PKCS#12 ` +
      `(${firstOpensslError(result.stderr)}).`,
    {
      hint: 'Give a .pfx/.p12 file with the certificate and its private key, or a PEM file with both.',
    },
  );
}

/** openssl's first error line, without its thread and source-file prefix. */
function firstOpensslError(stderr: string): string {
  const line = stderr.split(/\r?\n/).find((text) => text.trim() !== '') ?? 'no detail';
  return line.replace(/^[0-9A-F]+:error:[0-9A-F]+:/, '').slice(0, 160);
}
