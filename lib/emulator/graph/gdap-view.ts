/**
 * The spec-facing view of the GDAP data (`emulator.dataset`): the very derivations the Graph routes
 * serve, addressed by customer id and relationship id, so specs know every expected item without
 * HTTP.
 */
import { isoDate } from '../partner-center/customer-context.js';
import type { GdapDataset } from './gdap-dataset.js';
import type { EmulatorDataset } from '../types.js';

export type GdapView = Pick<
  EmulatorDataset,
  | 'gdapNow'
  | 'gdapKindOf'
  | 'customersOfGdapKind'
  | 'relationshipsOf'
  | 'relationships'
  | 'relationshipCount'
  | 'relationshipById'
  | 'accessAssignmentsOf'
  | 'relationshipRequestsOf'
>;

export function gdapView(gdap: GdapDataset): GdapView {
  const { customers } = gdap;
  const indexOf = (customerId: string) => {
    const index = customers.indexOfId(customerId);
    if (index < 0) throw new RangeError(`no customer with id ${customerId}`);
    return index;
  };
  function* relationships() {
    for (let index = 0; index < customers.count; index++)
      for (const relationship of gdap.relationshipsOf(index)) yield relationship.json;
  }
  return {
    gdapNow: isoDate(gdap.now),
    gdapKindOf: (customerId) => gdap.kindOf(indexOf(customerId)),
    customersOfGdapKind: (kind, limit = customers.count) => {
      const indices: number[] = [];
      for (let index = 0; index < Math.min(limit, customers.count); index++)
        if (gdap.kindOf(index) === kind) indices.push(index);
      return indices;
    },
    relationshipsOf: (customerId) =>
      gdap.relationshipsOf(indexOf(customerId)).map((relationship) => relationship.json),
    relationships,
    relationshipCount: () => {
      let count = 0;
      for (let index = 0; index < customers.count; index++)
        count += gdap.relationshipsOf(index).length;
      return count;
    },
    relationshipById: (relationshipId) => gdap.relationshipById(relationshipId)?.json,
    accessAssignmentsOf: (relationshipId) => {
      const relationship = gdap.relationshipById(relationshipId);
      if (!relationship) throw new RangeError(`no relationship with id ${relationshipId}`);
      return gdap.accessAssignmentsOf(relationship);
    },
    relationshipRequestsOf: (relationshipId) => {
      const relationship = gdap.relationshipById(relationshipId);
      if (!relationship) throw new RangeError(`no relationship with id ${relationshipId}`);
      return gdap.requestsOf(relationship);
    },
  };
}
