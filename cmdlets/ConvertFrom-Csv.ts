import { ObjectList, defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { csvDelimiterParameter, csvObjects } from '../lib/common/csv-reader.js';

/** Standard input decoded as UTF-8, a character split across chunks kept whole. */
async function* decoded(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  for await (const chunk of input)
    yield typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  yield decoder.decode();
}

export default defineCmdlet({
  name: 'ConvertFrom-Csv',
  helpUri:
    'https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/convertfrom-csv',
  synopsis: 'Reads CSV text from standard input as one object per row, for the next command.',
  description:
    "Reads CSV text as PowerShell's ConvertFrom-Csv does, from standard input (or " +
    '-InputObject): the header row names the properties, each later row becomes one ' +
    'object of strings, written as one NDJSON line for the next command to bind by ' +
    'property name. Same rules as Import-Csv (see Get-Help Import-Csv): UTF-8 with or ' +
    'without a byte-order mark, CRLF or LF, quoted fields, blank lines skipped; a row ' +
    'whose field count differs from the header stops the run with one line naming it ' +
    '(exit 2). What -OutputFormat Csv writes reads back as the same fields.',
  parameters: {
    InputObject: {
      type: 'string',
      position: 0,
      description:
        'The CSV text, header row and rows, instead of standard input (in-process callers ' +
        'pass it here).',
    },
    Delimiter: csvDelimiterParameter,
  },
  inputs: 'CSV text on standard input (not NDJSON).',
  outputType: 'CsvRow',
  outputs: 'One object per data row, with a string property per column of the header row.',
  examples: [
    {
      title: 'A seat plan from another program',
      code: 'cat plan.csv | ConvertFrom-Csv | Get-PartnerCustomerSubscription',
    },
    {
      title: 'Read back what -OutputFormat Csv wrote',
      code: 'Get-PartnerCustomer -OutputFormat Csv | ConvertFrom-Csv',
    },
  ],
  async *run(p, context) {
    const text =
      p.InputObject !== undefined ? [p.InputObject] : decoded(context.standardInput ?? []);
    const source = { text, delimiter: p.Delimiter, name: 'standard input' };
    for await (const objects of csvObjects(source)) yield new ObjectList(objects);
  },
});
