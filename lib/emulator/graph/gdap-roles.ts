/**
 * The Microsoft Entra built-in roles the emulated GDAP relationships grant, by their role template
 * ids (the `roleDefinitionId` of `accessDetails.unifiedRoles`); docs/graph-gdap.md, "Role ids",
 * gives the source. Global Administrator is named on its own: a relationship that holds it cannot
 * auto-extend.
 */
import { GLOBAL_ADMINISTRATOR_ROLE_ID } from '../../common/gdap-facts.js';

export { GLOBAL_ADMINISTRATOR_ROLE_ID };

/** The roles least-privilege relationships are built from (every one but Global Administrator). */
export const LEAST_PRIVILEGE_ROLE_IDS: readonly string[] = [
  '88d8e3e3-8f55-4a1e-953a-9b9898b8876b', // Directory Readers
  'f2ef992c-3afb-46b9-b7cf-a126ee74c451', // Global Reader
  '729827e3-9c14-49f7-bb1b-9608f156bbb8', // Helpdesk Administrator
  'fe930be7-5e62-47db-91af-98c3a49a38b1', // User Administrator
  '29232cdf-9323-42fd-ade2-1d097af3e4de', // Exchange Administrator
  'f28a1f50-f6e7-4571-818b-6a12f2af6b6c', // SharePoint Administrator
  '69091246-20e8-4a56-aa4d-066075b2a7a8', // Teams Administrator
  '4d6ac14f-3453-41d0-bef9-a3e0c569773a', // License Administrator
  'f023fd81-a637-4b56-95fd-791ac0226033', // Service Support Administrator
  '3a2c62db-5318-420d-8d74-23affee5d9d5', // Intune Administrator
  '194ae4cb-b126-40b2-bd5b-6091b380977d', // Security Administrator
];
