/**
 * The emulated partner's customers, derived from (seed, index) on demand: nothing per customer is
 * held in memory, so a million customers cost the same as ten, and listing order is index order.
 */
import { isGuid } from '../../common/guid.js';
import { customerListJson, initialDomain } from './customer-json.js';
import { localeGroups, pickLocaleGroup, type CompanyName } from './name-parts.js';
import { guidFromWords, hash32, mix32, Rng, seededGuid, unmix32 } from '../server/random.js';

export const relationshipValues = [
  'unknown',
  'reseller',
  'advisor',
  'syndication',
  'microsoft_support',
  'none',
] as const;
export type RelationshipToPartner = (typeof relationshipValues)[number];

/**
 * Weighted share of each relationship after the first six customers (which show each value once).
 */
const relationshipWeights: readonly (readonly [RelationshipToPartner, number])[] = [
  ['reseller', 70],
  ['advisor', 8],
  ['syndication', 5],
  ['microsoft_support', 4],
  ['none', 7],
  ['unknown', 6],
];
const relationshipWeightTotal = relationshipWeights.reduce((sum, [, weight]) => sum + weight, 0);

const INDIRECT_RESELLER_COUNT = 4;
const SALT_LIST = 1;
const SALT_DETAIL = 2;
const SALT_ID = 3;

/** What a search looks at: no per-customer string is built for it. */
export interface SearchFields {
  readonly index: number;
  /** The company name, prepared for searches and the page writer. */
  readonly name: CompanyName;
  readonly relationshipToPartner: RelationshipToPartner;
  readonly associatedPartnerId?: string;
  readonly localeKey: string;
}

/** The fields every listed customer needs: cheap to compute. */
export interface CustomerSummary extends SearchFields {
  readonly id: string;
  readonly companyName: string;
  readonly domain: string;
  readonly slug: string;
}

export class CustomerDataset {
  readonly partnerTenantId: string;
  /** Tenant ids of the indirect resellers some customers are associated with. */
  readonly indirectResellers: readonly string[];
  private readonly idKey: number;

  constructor(
    readonly seed: number,
    readonly count: number,
  ) {
    if (!Number.isInteger(count) || count < 0 || count > 0xffffffff)
      throw new RangeError(`customers must be an integer from 0; got ${count}`);
    this.partnerTenantId = seededGuid(seed, 'partner-tenant');
    this.indirectResellers = Array.from({ length: INDIRECT_RESELLER_COUNT }, (_, n) =>
      seededGuid(seed, `indirect-reseller-${n}`),
    );
    this.idKey = hash32(seed, SALT_ID, 0x1d);
  }

  /** The last 32 bits of an id are a bijection of the index, so ids are unique by construction. */
  idOf(index: number): string {
    const base = hash32(this.seed, index, SALT_ID);
    return guidFromWords(
      mix32(base ^ 11),
      mix32(base ^ 12),
      mix32(base ^ 13),
      mix32((index ^ this.idKey) >>> 0),
    );
  }

  /** The index of a customer id, or -1: inverts the id's last 32 bits, then checks the whole id. */
  indexOfId(id: string): number {
    const normalized = id.toLowerCase();
    if (!isGuid(normalized)) return -1;
    const index = (unmix32(parseInt(normalized.slice(28), 16)) ^ this.idKey) >>> 0;
    return index < this.count && this.idOf(index) === normalized ? index : -1;
  }

  /**
   * What searches look at, without the strings a listing needs (a filtered scan visits every
   * customer).
   */
  searchFields(index: number): SearchFields {
    const rng = new Rng(hash32(this.seed, index, SALT_LIST));
    const group = pickLocaleGroup(rng);
    const name = group.company(rng);
    const relationshipToPartner = this.relationshipOf(index, rng);
    const indirect =
      relationshipToPartner === 'reseller' &&
      (index < relationshipValues.length || rng.below(5) === 0);
    const associatedPartnerId = indirect
      ? this.indirectResellers[rng.below(this.indirectResellers.length)]
      : undefined;
    return { index, name, relationshipToPartner, associatedPartnerId, localeKey: group.key };
  }

  summary(index: number): CustomerSummary {
    const { name, relationshipToPartner, associatedPartnerId, localeKey } =
      this.searchFields(index);
    // Written out rather than `{ ...fields, id, ... }`: on Node 20 a spread followed by more
    // properties costs microseconds per object (docs/ARCHITECTURE.md, "Stack facts"), and every
    // listed customer is one.
    return {
      index,
      name,
      relationshipToPartner,
      associatedPartnerId,
      localeKey,
      id: this.idOf(index),
      companyName: name.shown,
      domain: initialDomain(name.slug, index),
      slug: name.slug,
    };
  }

  /**
   * The customer as `GET /v1/customers` lists it, serialised directly (the hot path of every page).
   */
  listJson(index: number): string {
    return customerListJson(this.summary(index));
  }

  /** The customer as `GET /v1/customers` lists it. */
  listItem(index: number): Record<string, unknown> {
    return JSON.parse(this.listJson(index)) as Record<string, unknown>;
  }

  /** The fuller shape `GET /v1/customers/{id}` returns. */
  detail(index: number): Record<string, unknown> {
    return detailOf(this.summary(index), new Rng(hash32(this.seed, index, SALT_DETAIL)), this.seed);
  }

  /** The first six customers show every relationship once, in a seed-dependent order. */
  private relationshipOf(index: number, rng: Rng): RelationshipToPartner {
    const draw = rng.below(relationshipWeightTotal);
    if (index < relationshipValues.length)
      return relationshipValues[
        (((index + this.seed) % relationshipValues.length) + relationshipValues.length) %
          relationshipValues.length
      ];
    let remaining = draw;
    for (const [value, weight] of relationshipWeights) {
      remaining -= weight;
      if (remaining < 0) return value;
    }
    return 'reseller';
  }
}

function detailOf(customer: CustomerSummary, rng: Rng, seed: number): Record<string, unknown> {
  const { id } = customer;
  const group = pickLocaleGroupByKey(customer.localeKey);
  const first = rng.pick(group.firstNames);
  const last = rng.pick(group.lastNames);
  const [city, region, postalCode] = rng.pick(group.cities);
  const webDomain = `${customer.slug}.${group.tld}`;
  const email = `${first[1]}.${last[1]}@${webDomain}`;
  const phoneNumber = `${group.phonePrefix} ${String(1000000 + rng.below(9000000))}`;
  const address = {
    country: group.country,
    region,
    city,
    addressLine1: group.street(rng),
    postalCode,
    firstName: first[0],
    lastName: last[0],
    phoneNumber,
  };
  const commerceId = guidFromWords(
    hash32(seed, customer.index, 21),
    hash32(seed, customer.index, 22),
    hash32(seed, customer.index, 23),
    hash32(seed, customer.index, 24),
  );
  const billingId = guidFromWords(
    hash32(seed, customer.index, 31),
    hash32(seed, customer.index, 32),
    hash32(seed, customer.index, 33),
    hash32(seed, customer.index, 34),
  );
  const customDomains = rng.below(3) === 0 ? [] : [webDomain];
  const list = JSON.parse(customerListJson(customer)) as Record<string, unknown> & {
    companyProfile: Record<string, unknown>;
  };
  return {
    id,
    commerceId,
    companyProfile: {
      tenantId: id,
      domain: customer.domain,
      companyName: customer.companyName,
      address,
      email,
      links: list.companyProfile.links,
      attributes: list.companyProfile.attributes,
    },
    billingProfile: {
      id: billingId,
      firstName: first[0],
      lastName: last[0],
      email,
      culture: group.culture,
      language: group.language,
      companyName: customer.companyName,
      defaultAddress: address,
      links: { self: { uri: `/customers/${id}/profiles/billing`, method: 'GET', headers: [] } },
      attributes: {
        etag: `"${(hash32(seed, customer.index, 41) % 1000000).toString()}"`,
        objectType: 'CustomerBillingProfile',
      },
    },
    relationshipToPartner: customer.relationshipToPartner,
    ...(customer.associatedPartnerId ? { associatedPartnerId: customer.associatedPartnerId } : {}),
    allowDelegatedAccess:
      customer.relationshipToPartner === 'reseller' || customer.relationshipToPartner === 'advisor',
    customDomains,
    links: list.links,
    attributes: list.attributes,
  };
}

function pickLocaleGroupByKey(key: string) {
  return localeGroups.find((group) => group.key === key) ?? localeGroups[0];
}
