/**
 * Subscribed SKUs (licenses a customer owns) and each user's assigned licenses, derived from the
 * customer's subscriptions so the numbers agree: units come from license-based subscriptions by
 * status, `totalUnits = activeUnits + warningUnits`, `availableUnits = totalUnits - consumedUnits`
 * (license-resources.md), and exactly `consumedUnits` active users hold each SKU.
 */
import type { Product } from './catalog.js';
import type { CustomerContext } from './customer-context.js';
import type { SubscriptionFacts } from './customer-subscriptions.js';

const SALT_CONSUMED = 71;
const SALT_ASSIGNMENT = 72;

export type LicenseGroup = 'group1' | 'group2';

export interface SkuFacts {
  readonly product: Product;
  readonly activeUnits: number;
  readonly suspendedUnits: number;
  readonly warningUnits: number;
  readonly consumedUnits: number;
  readonly capabilityStatus: string;
  /** Where this SKU's run of assigned users starts among the active users. */
  readonly firstHolder: number;
}

/** Where a subscription's quantity counts, by its status; other statuses hold no units. */
function unitKind(status: string): 'active' | 'suspended' | 'warning' | undefined {
  if (status === 'suspended') return 'suspended';
  if (status === 'expired') return 'warning';
  if (status === 'deleted' || status === 'disabled' || status === 'pending') return undefined;
  // Active, and statuses this emulator does not know the meaning of, count as active.
  return 'active';
}

export function skusOf(
  context: CustomerContext,
  subscriptions: readonly SubscriptionFacts[],
  activeUsers: number,
): SkuFacts[] {
  const units = new Map<Product, { active: number; suspended: number; warning: number }>();
  for (const subscription of subscriptions) {
    const kind = subscription.product && unitKind(subscription.status);
    if (!subscription.product || !kind) continue;
    const entry = units.get(subscription.product) ?? { active: 0, suspended: 0, warning: 0 };
    entry[kind] += subscription.quantity;
    units.set(subscription.product, entry);
  }
  return [...units].map(([product, entry], n) => {
    const total = entry.active + entry.warning;
    const share = 30 + (context.hash(SALT_CONSUMED, n) % 71);
    const consumedUnits = Math.min(total, Math.floor((activeUsers * share) / 100));
    return {
      product,
      activeUnits: entry.active,
      suspendedUnits: entry.suspended,
      warningUnits: entry.warning,
      consumedUnits,
      capabilityStatus: entry.active > 0 ? 'Enabled' : entry.warning > 0 ? 'Warning' : 'Suspended',
      firstHolder: activeUsers === 0 ? 0 : context.hash(SALT_ASSIGNMENT, n) % activeUsers,
    };
  });
}

/** Whether the active user at `position` holds the SKU: a run of `consumedUnits` users, wrapping. */
export function holdsSku(sku: SkuFacts, position: number, activeUsers: number): boolean {
  return (position - sku.firstHolder + activeUsers) % activeUsers < sku.consumedUnits;
}

function servicePlansJson(product: Product, capabilityStatus: string) {
  return product.servicePlans.map((plan) => ({
    displayName: plan.displayName,
    serviceName: plan.serviceName,
    id: plan.id,
    capabilityStatus,
    targetType: plan.targetType,
  }));
}

export function subscribedSkuJson(sku: SkuFacts): Record<string, unknown> {
  const { product } = sku;
  const totalUnits = sku.activeUnits + sku.warningUnits;
  return {
    availableUnits: totalUnits - sku.consumedUnits,
    activeUnits: sku.activeUnits,
    consumedUnits: sku.consumedUnits,
    suspendedUnits: sku.suspendedUnits,
    totalUnits,
    warningUnits: sku.warningUnits,
    productSku: {
      id: product.skuId,
      name: product.name,
      skuPartNumber: product.skuPartNumber,
      targetType: 'User',
      licenseGroupId: product.licenseGroupId,
    },
    servicePlans: servicePlansJson(product, sku.capabilityStatus),
    capabilityStatus: sku.capabilityStatus,
    attributes: { objectType: 'SubscribedSku' },
  };
}

/** A user's license: its product SKU (without targetType, as documented) and assigned plans. */
export function licenseJson(sku: SkuFacts): Record<string, unknown> {
  const { product } = sku;
  return {
    servicePlans: servicePlansJson(product, 'Assigned'),
    productSku: {
      id: product.skuId,
      name: product.name,
      skuPartNumber: product.skuPartNumber,
      licenseGroupId: product.licenseGroupId,
    },
    attributes: { objectType: 'License' },
  };
}

export type LicenseGroupParse =
  | { ok: true; groups: LicenseGroup[] | null }
  | { ok: false; reason: string };

/**
 * `licenseGroupIds=Group1&licenseGroupIds=Group2` as documented; `Group1,Group2` and `Group1|Group2`
 * are read too. Values ignore case; none means every group.
 */
export function parseLicenseGroups(values: readonly string[]): LicenseGroupParse {
  const parts = values.flatMap((value) => value.split(/[,|]/)).map((part) => part.trim());
  if (parts.length === 0) return { ok: true, groups: null };
  const groups: LicenseGroup[] = [];
  for (const part of parts) {
    const group = part.toLowerCase();
    if (group !== 'group1' && group !== 'group2')
      return { ok: false, reason: `licenseGroupIds must be Group1 or Group2; got '${part}'` };
    if (!groups.includes(group)) groups.push(group);
  }
  return { ok: true, groups };
}

export function inGroups(sku: SkuFacts, groups: readonly LicenseGroup[] | null): boolean {
  return groups === null || groups.includes(sku.product.licenseGroupId);
}
