/** What a call throws, so a case can look at its class, message and hint at once. */
import { expect } from '@jest/globals';

export function thrownBy(fn: () => unknown): Error & { hint?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { hint?: string };
  }
  throw new Error('expected a throw');
}

/** The same, failing the case unless the error is an instance of `kind`. */
export function thrownAs<E extends Error>(fn: () => unknown, kind: new (...args: never[]) => E): E {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(kind);
  return error as E;
}
