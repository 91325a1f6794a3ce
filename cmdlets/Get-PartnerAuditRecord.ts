import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import type { RunParameters } from '../lib/cmdlet-support/parameter-types.js';
import {
  AUDIT_RESOURCE_TYPES,
  AUDIT_WINDOW_DAYS,
  auditRecordsCollection,
  auditWindow,
  DEFAULT_START_DAYS,
  MAX_PAGE_SIZE,
  type AuditFilter,
} from '../lib/partner-center/audit-records.js';
import { maxRetryParameter, RESUME_FILE_RULES } from '../lib/cmdlet-support/parameters.js';

const DAY = { regex: /^\d{4}-\d{2}-\d{2}$/, allowed: 'a day as yyyy-mm-dd (UTC)' };

const getPartnerAuditRecord = defineCmdlet({
  name: 'Get-PartnerAuditRecord',
  helpUri:
    'https://learn.microsoft.com/partner-center/developer/get-a-record-of-partner-center-activity-by-user',
  synopsis: "Lists the partner's activity log: who changed what, when, and with which request.",
  description:
    "Lists Partner Center's audit records: one per change made in the partner's name (a " +
    'subscription updated, an order placed, a customer or user added), with who made it ' +
    '(userPrincipalName, applicationId), the resource before and after (resourceOldValue, ' +
    'resourceNewValue: JSON text), the outcome (operationStatus) and the correlation id of the ' +
    'request that made it (originalCorrelationId), so a change made by a script can be found ' +
    `again by its run's correlation id. Partner Center keeps the previous ${AUDIT_WINDOW_DAYS} ` +
    'days: -StartDate may go back that far and no further (an older date is refused before any ' +
    `request). Without -StartDate the listing starts ${DEFAULT_START_DAYS} days back; without ` +
    '-EndDate it ends today (both days inclusive, UTC). -CustomerId, -ResourceType and ' +
    "-CompanyName use the service's own filter (one at a time, as the service takes one). " +
    'Records are written as each page arrives; the listing resumes like every listing ' +
    '(-ResumeFile, or -ContinuationToken with -Skip).',
  defaultParameterSet: 'List',
  parameters: {
    StartDate: {
      type: 'string',
      pattern: DAY,
      description:
        `The first day (yyyy-mm-dd, UTC), at most ${AUDIT_WINDOW_DAYS} days back; ` +
        `default ${DEFAULT_START_DAYS} days back.`,
    },
    EndDate: {
      type: 'string',
      pattern: DAY,
      description: 'The last day (yyyy-mm-dd, UTC), inclusive; default today.',
    },
    CustomerId: {
      type: 'guid',
      sets: ['ByCustomer'],
      mandatory: true,
      aliases: ['TenantId'],
      description: 'Only the records of this customer (its tenant id, a GUID).',
    },
    ResourceType: {
      type: 'string',
      sets: ['ByResourceType'],
      mandatory: true,
      choices: AUDIT_RESOURCE_TYPES,
      description: 'Only the records of changes to this kind of resource, e.g. subscription.',
    },
    CompanyName: {
      type: 'string',
      sets: ['ByCompanyName'],
      mandatory: true,
      description:
        'Only the records of customers whose company name contains this text (case-insensitive).',
    },
    PageSize: {
      type: 'int',
      range: [1, MAX_PAGE_SIZE],
      default: MAX_PAGE_SIZE,
      description: `Records per request; ${MAX_PAGE_SIZE} (the default) needs the fewest round trips.`,
    },
    First: {
      type: 'int',
      range: [1, 2_147_483_647],
      description: 'Stop after this many records; no further pages are requested.',
    },
    Skip: {
      type: 'int',
      range: [0, 2_147_483_647],
      description:
        'Leave out this many records first (counted from where the listing starts, so with ' +
        '-ContinuationToken from that point).',
    },
    ContinuationToken: {
      type: 'string',
      pattern: { regex: /\S/, allowed: 'the token a stopped listing reported' },
      description:
        'Continue a listing that stopped: the token its error message gave (with the same ' +
        'dates and filter, which the message repeats). Partner Center accepts a token only for ' +
        'a limited time.',
    },
    ResumeFile: {
      type: 'path',
      description:
        "Keep the listing's position in this file, rewritten after every page: if the run " +
        'stops, the same command continues with the next record. A resume with other ' +
        'parameters (dates, filter, page size, -First, -Skip) is refused. The file is deleted ' +
        `when the listing completes. ${RESUME_FILE_RULES}`,
    },
    MaxRetry: maxRetryParameter,
  },
  outputType: 'AuditRecord',
  outputs:
    "One object per record, with the service's field names, oldest first as the service " +
    'lists them.',
  view: [
    { name: 'Date', path: 'operationDate', kind: 'date' },
    { name: 'Operation', path: 'operationType', minWidth: 19 },
    // On a narrow terminal the resource type goes first: the operation's name says it too.
    { name: 'Resource', path: 'resourceType', drop: 1 },
    { name: 'Customer', path: 'customerName', kind: 'text', minWidth: 12 },
    { name: 'User', path: 'userPrincipalName', kind: 'id' },
    { name: 'Status', path: 'operationStatus', minWidth: 9 },
  ],
  examples: [
    {
      title: 'The last 30 days of activity as a table',
      code: 'Get-PartnerAuditRecord -OutputFormat Table',
    },
    {
      title: "One customer's changes since a day, one JSON object per line",
      code:
        'Get-PartnerAuditRecord -CustomerId c5757d70-06f3-4f23-8367-5a9e55019f94 ' +
        '-StartDate 2026-11-01 > audit.ndjson',
    },
    {
      title: 'Subscription changes this week, with the quantities before and after',
      code:
        'Get-PartnerAuditRecord -ResourceType subscription -StartDate 2026-11-30 | ' +
        "jq -c '{operationDate, customerName, old: (.resourceOldValue | fromjson | .Quantity), " +
        "new: (.resourceNewValue | fromjson | .Quantity)}'",
    },
    {
      title: 'The changes a run of a script made, found by its correlation id',
      code:
        'Get-PartnerAuditRecord -StartDate 2026-12-01 | ' +
        "jq -c 'select(.originalCorrelationId == \"<the run's correlation id>\")'",
      remarks:
        'Every request of one run carries the same MS-CorrelationId; -Debug shows it on each ' +
        'request line (MS-CorrelationId=...), and Partner Center keeps it with each change ' +
        'as originalCorrelationId.',
    },
    {
      title: 'A nightly export that survives a flaky night',
      code:
        'Get-PartnerAuditRecord -StartDate 2026-12-04 -EndDate 2026-12-04 ' +
        '-ResumeFile audit.resume >> audit.ndjson',
      remarks:
        'If the run stops, run the same line again: it continues with the next record, so ' +
        'audit.ndjson ends with every record of the day exactly once.',
    },
  ],
  async *run(p, context): AsyncGenerator<unknown> {
    // Checked before anything goes over the network: an old date is refused here, not by a 400.
    const window = auditWindow({ startDate: p.StartDate, endDate: p.EndDate }, Date.now());
    const filter = filterOf(p);
    // The listing run loads here rather than at the top: -? and usage errors never need it.
    const { listResumably, listingControls } = await import('../lib/cmdlet-support/listing-run.js');
    yield* listResumably(
      {
        cmdletName: 'Get-PartnerAuditRecord',
        collection: auditRecordsCollection(window, filter),
        selection: { ...window, filter: filter ?? null },
        continuable: true,
        // The resolved days, so the command that continues pages the very same window.
        pinned: { StartDate: window.startDate, EndDate: window.endDate },
        ...listingControls(p),
      },
      context,
    );
  },
});
export default getPartnerAuditRecord;

type AuditParameters = RunParameters<typeof getPartnerAuditRecord>;

/** The service's filter fields are named as the parameters that set them. */
const FILTER_PARAMETERS = ['CustomerId', 'ResourceType', 'CompanyName'] as const;

function filterOf(p: AuditParameters): AuditFilter | undefined {
  for (const field of FILTER_PARAMETERS) {
    const value = p[field];
    if (value !== undefined) return { field, value };
  }
  return undefined;
}
