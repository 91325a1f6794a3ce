/**
 * Keeps V8's young generation at the size it has (1 MB semi-spaces after start-up) for the rest of
 * the process: called by listings that may run for minutes, not at start-up, so that short commands
 * are untouched.
 *
 * V8 doubles the young generation whenever enough has survived its minor collections since the
 * last growth, up to 16 MB semi-spaces (32 MB), and never gives it back while allocation continues.
 * A listing of a million customers always gets there, and a larger young generation also means
 * rarer minor collections, between which the page buffers the network and TLS layers allocate
 * outside the JS heap pile up: together that made the peak RSS of a 1,000,000-customer listing 35
 * to 45 MB higher than a 10,000-customer one. Held at 1 MB, the growth stays within ~10 MB for no
 * measurable cost in time (bench/memory.mjs; README, Performance).
 *
 * --max-semi-space-size would say this directly, but heap limits are fixed before any JavaScript
 * runs (setting them from here does nothing) and NODE_OPTIONS cannot be set from a shim that must
 * also work on Windows and busybox. The growth factor, unlike the limit, is read at each growth,
 * so setting it now takes effect. A V8 without the flag would print a warning, not fail.
 */
import { setFlagsFromString } from 'node:v8';

export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
