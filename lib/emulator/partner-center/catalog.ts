/**
 * The products the emulated customers subscribe to: what a subscription, a subscribed SKU and a
 * user's license are made of. SKU and service-plan ids and names that appear in Microsoft's
 * examples are theirs; the new-commerce product ids other than Business Basic's are invented in
 * the documented `product:sku:availability` form.
 */

export interface ServicePlan {
  readonly displayName: string;
  readonly serviceName: string;
  readonly id: string;
  readonly targetType: 'User' | 'Tenant';
}

export interface Product {
  /** Offer name and the SKU's name. */
  readonly name: string;
  readonly skuId: string;
  readonly skuPartNumber: string;
  /** `group1`: licenses Entra ID manages; `group2`: Minecraft (license-resources.md). */
  readonly licenseGroupId: 'group1' | 'group2';
  /** New-commerce catalog item id, `product:sku:availability`. */
  readonly nceOfferId: string;
  /** The legacy offer id (a GUID) of the same product. */
  readonly legacyOfferId: string;
  readonly servicePlans: readonly ServicePlan[];
  /** The SKU's `minimumQuantity` and `maximumQuantity` (product-resources): a seat count's bounds. */
  readonly minimumQuantity: number;
  readonly maximumQuantity: number;
}

const plan = (
  displayName: string,
  serviceName: string,
  id: string,
  targetType: 'User' | 'Tenant' = 'User',
): ServicePlan => ({ displayName, serviceName, id, targetType });

const exchangeFoundation = plan(
  'Exchange Foundation',
  'EXCHANGE_S_FOUNDATION',
  '113feb6c-3fe4-4440-bddc-54d774bf0318',
  'Tenant',
);
const exchangeStandard = plan(
  'Exchange Online (Plan 1)',
  'EXCHANGE_S_STANDARD',
  '9aaf7827-d63c-4b61-89c3-182f06f82e5c',
);
const exchangeEnterprise = plan(
  'Exchange Online (Plan 2)',
  'EXCHANGE_S_ENTERPRISE',
  'efb87545-963c-4e0d-99df-69c6916d9eb0',
);
const teams = plan('Microsoft Teams', 'TEAMS1', '57ff2da0-773e-42df-b2af-ffb7a2317929');
const sharePoint = plan(
  'SharePoint Online (Plan 1)',
  'SHAREPOINTSTANDARD',
  'c7699d2e-19aa-44de-8edf-1736da088ca1',
);
const officeApps = plan(
  'Microsoft 365 Apps for enterprise',
  'OFFICESUBSCRIPTION',
  '43de0ff5-c92c-492b-9116-175376d08c38',
);
const rmsPremium = plan(
  'Azure Information Protection Premium P1',
  'RMS_S_PREMIUM',
  '6c57d4b6-3b23-47a5-9bc9-69f17b4947b3',
);
const intune = plan(
  'Microsoft Intune A Direct',
  'INTUNE_A',
  'c1ec4a95-1f05-45b3-a911-aa3fa01094f5',
);
const rmsEnterprise = plan(
  'Microsoft Azure Active Directory Rights',
  'RMS_S_ENTERPRISE',
  'bea4c11e-220a-4e6d-8eb8-8ea15d019f90',
);
const aadPremium = plan(
  'Azure Active Directory Premium P1',
  'AAD_PREMIUM',
  '41781fb2-bc02-4b7c-bd55-b576c07bb09d',
);
const mfa = plan(
  'Microsoft Azure Multi-Factor Authentication',
  'MFA_PREMIUM',
  '8a256a2b-b617-496d-b51b-e76466e88db0',
);
const powerBi = plan('Power BI Pro', 'BI_AZURE_P2', '70d33638-9c74-4d01-bfd3-562de28bd4ba');

/**
 * Microsoft 365 Business Basic, Standard and Premium are sold for at most 300 users per customer;
 * the other products' SKUs in the emulator allow up to 10,000 seats per subscription (the catalog
 * gives each SKU its own bounds; these are the emulator's choice where Microsoft publishes none).
 */
const BUSINESS_MAXIMUM_SEATS = 300;
const SEAT_MAXIMUM = 10_000;

export const licensedProducts: readonly Product[] = [
  {
    name: 'Microsoft 365 Business Basic',
    skuId: '3b555118-da6a-4418-894f-7df1e2096870',
    skuPartNumber: 'O365_BUSINESS_ESSENTIALS',
    licenseGroupId: 'group1',
    nceOfferId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971',
    legacyOfferId: 'BD938F12-058F-4927-BBA3-AE36B1D2501C',
    servicePlans: [exchangeStandard, teams, sharePoint],
    minimumQuantity: 1,
    maximumQuantity: BUSINESS_MAXIMUM_SEATS,
  },
  {
    name: 'Microsoft 365 Business Standard',
    skuId: 'f245ecc8-75af-4f8e-b61f-27d8114de5f3',
    skuPartNumber: 'O365_BUSINESS_PREMIUM',
    licenseGroupId: 'group1',
    nceOfferId: 'CFQ7TTC0LDPB:0001:CFQ7TTC0K9DB',
    legacyOfferId: '031C9E47-4802-4248-838E-778FB1D2CC05',
    servicePlans: [exchangeStandard, teams, sharePoint, officeApps],
    minimumQuantity: 1,
    maximumQuantity: BUSINESS_MAXIMUM_SEATS,
  },
  {
    name: 'Microsoft 365 Business Premium',
    skuId: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46',
    skuPartNumber: 'SPB',
    licenseGroupId: 'group1',
    nceOfferId: 'CFQ7TTC0LCHC:0002:CFQ7TTC0K9F2',
    legacyOfferId: '5C9FD4CC-EDCE-44A8-8E91-07DF09744609',
    servicePlans: [exchangeStandard, teams, sharePoint, officeApps, aadPremium, intune, mfa],
    minimumQuantity: 1,
    maximumQuantity: BUSINESS_MAXIMUM_SEATS,
  },
  {
    name: 'Office 365 E3',
    skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900',
    skuPartNumber: 'ENTERPRISEPACK',
    licenseGroupId: 'group1',
    nceOfferId: 'CFQ7TTC0LF8Q:0001:CFQ7TTC0K8P5',
    legacyOfferId: '796B6B5F-613C-4E24-A17C-EBA730D49C02',
    servicePlans: [exchangeFoundation, exchangeEnterprise, teams, officeApps],
    minimumQuantity: 1,
    maximumQuantity: SEAT_MAXIMUM,
  },
  {
    name: 'Enterprise Mobility + Security E3',
    skuId: 'efccb6f7-5641-4e0e-bd10-b4976e1bf68e',
    skuPartNumber: 'EMS',
    licenseGroupId: 'group1',
    nceOfferId: 'CFQ7TTC0LFLX:0002:CFQ7TTC0KDT9',
    legacyOfferId: '79C29AF7-3CD0-4A6F-B182-A81E31DEC84E',
    servicePlans: [rmsPremium, intune, rmsEnterprise, aadPremium, mfa],
    minimumQuantity: 1,
    maximumQuantity: SEAT_MAXIMUM,
  },
  {
    name: 'Power BI Pro',
    skuId: 'f8a1db68-be16-40ed-86d5-cb42ce701560',
    skuPartNumber: 'POWER_BI_PRO',
    licenseGroupId: 'group1',
    nceOfferId: 'CFQ7TTC0L3PB:0001:CFQ7TTC0KXG6',
    legacyOfferId: '8AE64EA2-6E8F-4AB3-9A4A-D1F48D37E6E5',
    servicePlans: [exchangeFoundation, powerBi],
    minimumQuantity: 1,
    maximumQuantity: SEAT_MAXIMUM,
  },
  {
    name: 'Azure Active Directory Premium P1',
    skuId: '078d2b04-f1bd-4111-bbd4-b4b1b354cef4',
    skuPartNumber: 'AAD_PREMIUM',
    licenseGroupId: 'group1',
    nceOfferId: 'CFQ7TTC0LH8V:0001:CFQ7TTC0KDQN',
    legacyOfferId: '16C9F982-A827-4003-A88E-E75DF1927F27',
    servicePlans: [exchangeFoundation, aadPremium, mfa],
    minimumQuantity: 1,
    maximumQuantity: SEAT_MAXIMUM,
  },
  {
    name: 'Minecraft Education Edition Faculty',
    skuId: '984df360-9a74-4647-8cf8-696749f6247a',
    skuPartNumber: 'CFQ7TTC0K5DR/0002',
    licenseGroupId: 'group2',
    nceOfferId: 'CFQ7TTC0K5DR:0002:CFQ7TTC0K5F2',
    legacyOfferId: '2A3C0E5B-9C7E-4F4B-8F7A-6C1D2E3F4A5B',
    servicePlans: [],
    minimumQuantity: 1,
    maximumQuantity: SEAT_MAXIMUM,
  },
];

/** The legacy Azure offer: usage-based, no licenses, no new-commerce twin. */
export const azureOffer = {
  offerId: 'MS-AZR-0145P',
  name: 'Microsoft Azure',
  /** Usage-based: one "seat", no term, nothing to renew. */
  minimumQuantity: 1,
  maximumQuantity: 1,
} as const;
