/**
 * The emulator as specs start it: lib/emulator's startEmulator with one fixture token-signing key,
 * so a start costs milliseconds instead of a new RSA-2048 key (about 100 ms of CPU each, and the
 * suite starts about fifty). A start with a state directory still makes and keeps its own key:
 * that is what those specs check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator as startRealEmulator } from '../../lib/emulator/index.js';
import type { EmulatorOptions, StartedEmulator } from '../../lib/emulator/index.js';

/** A test-only RSA-2048 key (PKCS#8 PEM); it signs emulator tokens and nothing else. */
export const FIXTURE_SIGNING_KEY = readFileSync(
  join(import.meta.dirname, '..', 'fixtures', 'emulator', 'signing-key.pem'),
  'utf8',
);

export function startEmulator(options: EmulatorOptions = {}): Promise<StartedEmulator> {
  return startRealEmulator(
    options.stateDir === undefined ? { signingKey: FIXTURE_SIGNING_KEY, ...options } : options,
  );
}
