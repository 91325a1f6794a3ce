import { createReadStream } from 'node:fs';
import { ObjectList, defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { csvDelimiterParameter, csvObjects } from '../lib/common/csv-reader.js';

export default defineCmdlet({
  name: 'Import-Csv',
  helpUri: 'https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/import-csv',
  synopsis: 'Reads a CSV file (a seat plan) as one object per row, for the next command.',
  description:
    "Reads a CSV file as PowerShell's Import-Csv does: the header row names the " +
    'properties (case kept), and each later row becomes one object whose values are ' +
    'strings, written as one NDJSON line, so the next command binds them by property ' +
    'name (a customerId column binds -CustomerId; a quantity of "12" binds an Int32 ' +
    'parameter). Reads the file as Excel writes it: UTF-8 with or without a byte-order ' +
    'mark, CRLF or LF line ends, quoted fields holding the delimiter, doubled quotes or ' +
    'line breaks; blank lines are skipped. Rows are written as they are read, so a file ' +
    'of any length reads in flat memory. A row with more or fewer fields than the ' +
    'header, an unclosed quote, or an empty or repeated column name stops the run with ' +
    'one line naming the file and the line (exit 2); the rows before it were written ' +
    'whole. An empty file writes nothing.',
  parameters: {
    Path: {
      type: 'path',
      mandatory: true,
      mustExist: true,
      position: 0,
      aliases: ['LiteralPath'],
      description: 'The CSV file to read (UTF-8, with or without a byte-order mark).',
    },
    Delimiter: csvDelimiterParameter,
  },
  inputs: 'None.',
  outputType: 'CsvRow',
  outputs:
    'One object per data row, with a string property per column of the header row ' +
    '(output of Get-PartnerCustomer -OutputFormat Csv reads back as the same fields).',
  examples: [
    {
      title: 'Apply a seat plan kept as CSV',
      code:
        '# plan.csv:\n' +
        '#   customerId,subscriptionId,quantity\n' +
        '#   2c5fbc3b-...,a1b2c3d4-...,12\n' +
        'Import-Csv plan.csv | Get-PartnerCustomerSubscription',
      remarks:
        'Each row binds -CustomerId and -SubscriptionId by property name (header names ' +
        'match case-insensitively), as Import-Csv plan.csv | ' +
        'Set-PartnerCustomerSubscription does in PowerShell.',
    },
    {
      title: 'A file saved by Excel in a European locale',
      code: 'Import-Csv plan.csv -Delimiter ";"',
    },
  ],
  async *run(p, context) {
    const text = createReadStream(p.Path, { encoding: 'utf8', signal: context.signal });
    for await (const objects of csvObjects({ text, delimiter: p.Delimiter, name: p.Path }))
      yield new ObjectList(objects);
  },
});
