/** The GUID form Entra ID and Partner Center use for tenant, customer and application ids. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `text` is a GUID in its 8-4-4-4-12 hexadecimal form, in either case. */
export function isGuid(text: string): boolean {
  return GUID.test(text);
}
