/** Reading one resource of either API: a 404 becomes a NotFoundError that says which one. */
import { NotFoundError } from '../common/errors.js';
import type { ApiClient } from './client.js';

export async function oneOf(
  client: ApiClient,
  path: string,
  missing: { what: string; hint: string },
): Promise<Record<string, unknown>> {
  try {
    return await client.getJson<Record<string, unknown>>(path);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new NotFoundError(`${missing.what} was not found.`, {
      hint: missing.hint,
      cause: error,
    });
  }
}
