/** The service clients: Partner Center's paging, request pipeline, faults and JSON, and Graph's. */
import { runSuite } from '../support/suite.js';

await runSuite([
  'partner-center/listing',
  'partner-center/throttling-and-faults',
  'partner-center/pipeline',
  'partner-center/scripted-faults',
  'json/json-decoding',
  'graph/gdap',
  'graph/graph-tokens',
]);
