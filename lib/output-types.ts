/**
 * The types of what the cmdlets write, by the name a cmdlet's declaration gives (`outputType`):
 * the typed Node functions (cmdlet-functions.ts, generated) return them, and the build reads
 * their properties from here for each cmdlet's help (OUTPUTS). Every type is declared beside its
 * resource; this file only names them, and reaches no Node.js type, so the published
 * declarations compile without @types/node.
 */
import type { EmulatorConnectionInfo } from './emulator/connection-info.js';
import type { AuditRecord } from './partner-center/types.js';
import type { GdapStatus } from './partner-center/gdap-status.js';
import type { Invoice } from './partner-center/invoice-types.js';
import type { InvoiceLineItem, RatedUsageLineItem } from './partner-center/billing-types.js';
import type {
  Customer,
  CustomerUser,
  GdapAccessAssignment,
  GdapRelationship,
  License,
  OfCustomer,
  SubscribedSku,
  Subscription,
} from './partner-center/types.js';
import type { ContextView, EnvironmentView } from './session/views.js';

export type {
  AccessContainer,
  CompanyProfile,
  Customer,
  CustomerUser,
  GdapAccessAssignment,
  GdapRelationship,
  License,
  Link,
  OfCustomer,
  ProductSku,
  ResourceAttributes,
  ResourceLinks,
  ServicePlan,
  SubscribedSku,
  Subscription,
  UnifiedRole,
} from './partner-center/types.js';
export type { AuditRecord } from './partner-center/types.js';
export type { InvoiceLineItem, RatedUsageLineItem } from './partner-center/billing-types.js';
export type { GdapStatus, GdapStatusValue } from './partner-center/gdap-status.js';
export type {
  Invoice,
  InvoiceDetail,
  OneTimeInvoiceLineItem,
} from './partner-center/invoice-types.js';
export type { ContextView, EnvironmentView } from './session/views.js';
export type { EmulatorConnectionInfo } from './emulator/connection-info.js';

/** A cmdlet of the module, as Get-Command lists it. */
export interface CommandInfo {
  name: string;
  verb: string;
  noun: string;
  synopsis: string;
  /** The module's version, as PowerShell's Get-Command shows a command's. */
  version: string;
  /** The module the cmdlet belongs to (PartnerCenter). */
  source: string;
  [property: string]: unknown;
}

/** What Disconnect-Partner writes for each context it was asked to remove. */
export interface RemovedContext {
  name: string;
  /** Whether there was anything (the context or its tokens) to remove. */
  removed: boolean;
}

/** Output types by the name cmdlets declare. */
export interface OutputTypes {
  Customer: Customer;
  Subscription: OfCustomer & Subscription;
  CustomerUser: OfCustomer & CustomerUser;
  SubscribedSku: OfCustomer & SubscribedSku;
  License: OfCustomer & { userId: string } & License;
  GdapRelationship: Partial<OfCustomer> & GdapRelationship;
  GdapAccessAssignment: { relationshipId: string; customerId?: string } & GdapAccessAssignment;
  GdapStatus: GdapStatus;
  AuditRecord: AuditRecord;
  Invoice: Invoice;
  InvoiceLineItem: InvoiceLineItem;
  RatedUsageLineItem: RatedUsageLineItem;
  ContextView: ContextView;
  EnvironmentView: EnvironmentView;
  RemovedContext: RemovedContext;
  /** Get-Command's objects, or with -Completion the script as one string. */
  CommandInfo: CommandInfo | string;
  /** A help page, as one string. */
  HelpText: string;
  EmulatorConnectionInfo: EmulatorConnectionInfo;
  /**
   * One data row of a CSV file (Import-Csv, ConvertFrom-Csv): a string property per column,
   * named as the header row names it.
   */
  CsvRow: Record<string, string>;
}
