/**
 * `value` without its undefined members: what a JSON file would keep, and what a spread must not
 * copy over a default.
 */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
