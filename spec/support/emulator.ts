/**
 * The emulator as specs start it: lib/emulator's startEmulator with one fixture token-signing key
 * and one fixture TLS certificate, so a start costs milliseconds instead of a new RSA-2048 key
 * (about 100 ms of CPU each, and the suite starts about a hundred) and no certificate. A start
 * with a state directory still makes and keeps its own key and certificate: that is what those
 * specs check.
 */
import { startEmulator as startRealEmulator } from '../../lib/emulator/index.js';
import type { EmulatorOptions, StartedEmulator } from '../../lib/emulator/index.js';
import { FIXTURE_SERVER_CERTIFICATE, FIXTURE_SIGNING_KEY } from './fixture-keys.js';

export function startEmulator(options: EmulatorOptions = {}): Promise<StartedEmulator> {
  return startRealEmulator(
    options.stateDir === undefined
      ? {
          signingKey: FIXTURE_SIGNING_KEY,
          serverCertificate: FIXTURE_SERVER_CERTIFICATE,
          ...options,
        }
      : options,
  );
}
