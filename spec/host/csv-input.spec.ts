/**
 * Import-Csv and ConvertFrom-Csv in-process: CSV as Excel and Export-Csv write it becomes one
 * NDJSON object of strings per row, and bad CSV stops with one line and exit 2. The emulator cases
 * read back what -OutputFormat Csv writes and bind a seat plan's columns by property name.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ExitCode } from '../../lib/common/exit-codes.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson, wholeNdjsonLines } from '../support/ndjson.js';

const dir = mkdtempSync(join(tmpdir(), 'csv-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function importCsv(args: string[]) {
  return runInProcess(await loadCmdlet('Import-Csv'), args);
}

async function convertFromCsv(stdin: string | Buffer | Readable, args: string[] = []) {
  return runInProcess(await loadCmdlet('ConvertFrom-Csv'), args, { stdin });
}

/** What Excel saves as "CSV UTF-8": a byte-order mark, CRLF, quotes where needed. */
const excelPlan =
  '\ufeffCustomerId,subscriptionId,Quantity,Note\r\n' +
  'c1,s1,12,"Contoso, Ltd"\r\n' +
  'c2,s2,3,"say ""hi"""\r\n' +
  'c3,s3,7,"two\r\nlines"\r\n' +
  '\r\n';
const excelRows = [
  { CustomerId: 'c1', subscriptionId: 's1', Quantity: '12', Note: 'Contoso, Ltd' },
  { CustomerId: 'c2', subscriptionId: 's2', Quantity: '3', Note: 'say "hi"' },
  { CustomerId: 'c3', subscriptionId: 's3', Quantity: '7', Note: 'two\r\nlines' },
];

describe('Import-Csv and ConvertFrom-Csv', () => {
  it('read CSV as Excel writes it: BOM, CRLF, quoted commas, quotes and line breaks, header case', async () => {
    const imported = await importCsv([file('excel.csv', excelPlan)]);
    expect([imported.code, imported.stderr]).toEqual([0, '']);
    expect(wholeNdjsonLines(imported.stdout)).toEqual(excelRows);
    const converted = await convertFromCsv(excelPlan);
    expect([converted.code, converted.stderr]).toEqual([0, '']);
    expect(wholeNdjsonLines(converted.stdout)).toEqual(excelRows);
  });

  it('read the same rows whatever the chunks: one byte at a time, a UTF-8 character split', async () => {
    const text = `name,city\nJosé,"Zürich\n"\nÅsa,Malmö\n`;
    const bytes = Buffer.from(text);
    const oneByOne = Readable.from([...bytes].map((byte) => Buffer.from([byte])));
    const result = await convertFromCsv(oneByOne);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(parseNdjson(result.stdout)).toEqual([
      { name: 'José', city: 'Zürich\n' },
      { name: 'Åsa', city: 'Malmö' },
    ]);
  });

  it('take the semicolon of European Excel with -Delimiter, LF line ends, no BOM, no last newline', async () => {
    const path = file('semicolon.csv', 'customerId;quantity;price\nc1;12;"1,50"\nc2;3;2');
    const result = await importCsv([path, '-Delimiter', ';']);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(parseNdjson(result.stdout)).toEqual([
      { customerId: 'c1', quantity: '12', price: '1,50' },
      { customerId: 'c2', quantity: '3', price: '2' },
    ]);
    const refused = await importCsv([path, '-Delimiter', '""']);
    expect(refused.code).toBe(ExitCode.Usage);
  });

  it('write nothing and exit 0 for an empty file, a BOM alone, or a header alone', async () => {
    for (const content of ['', '\ufeff', 'customerId,quantity\r\n', '\r\n\r\n']) {
      const result = await importCsv([file('empty.csv', content)]);
      expect([result.code, result.stdout, result.stderr]).toEqual([0, '', '']);
    }
  });

  it('stop at a row with more or fewer fields than the header: one line naming file and row, exit 2', async () => {
    const path = file('short.csv', 'customerId,quantity\r\nc1,12\r\nc2\r\nc3,4\r\n');
    const short = await importCsv([path]);
    expect(short.code).toBe(ExitCode.Usage);
    // The rows before it were written whole; none after it.
    expect(wholeNdjsonLines(short.stdout)).toEqual([{ customerId: 'c1', quantity: '12' }]);
    expect(short.stderrLines).toEqual([
      `Import-Csv: ${path}: row 3 (line 3) has 1 field; the header row has 2. ` +
        'Quote a field that holds the delimiter \',\', a quote or a line break ("a,b"); ' +
        'give -Delimiter when the file uses another.',
    ]);
    const long = await convertFromCsv('a,b\n"x\ny",2\n1,2,3\n');
    expect(long.code).toBe(ExitCode.Usage);
    expect(long.stderrLines).toEqual([
      expect.stringMatching(/^ConvertFrom-Csv: standard input: row 3 \(line 4\) has 3 fields; /),
    ]);
  });

  it('refuse a repeated (in any case) or empty header name and an unclosed quote, writing nothing', async () => {
    const repeated = await convertFromCsv('customerId,CustomerID\nc1,c2\n');
    expect([repeated.code, repeated.stdout]).toEqual([ExitCode.Usage, '']);
    expect(repeated.stderrLines).toEqual([
      expect.stringContaining("names 'CustomerID' twice (columns 1 and 2)"),
    ]);
    const empty = await convertFromCsv('customerId,,quantity\nc1,x,2\n');
    expect([empty.code, empty.stdout]).toEqual([ExitCode.Usage, '']);
    expect(empty.stderrLines).toEqual([
      expect.stringContaining('column 2 of the header row (line 1) has no name'),
    ]);
    const unclosed = await convertFromCsv('a,b\n1,"open\n');
    expect([unclosed.code, unclosed.stdout]).toEqual([ExitCode.Usage, '']);
    expect(unclosed.stderrLines).toEqual([
      expect.stringContaining('the quoted field that starts on line 2 is never closed'),
    ]);
  });

  it('ConvertFrom-Csv takes the text as -InputObject too', async () => {
    const result = await runInProcess(await loadCmdlet('ConvertFrom-Csv'), [
      '-InputObject',
      'a,b\r\n1,2',
    ]);
    expect([result.code, parseNdjson(result.stdout)]).toEqual([0, [{ a: '1', b: '2' }]]);
  });
});

describe('CSV against the emulator', () => {
  let partner: EmulatedPartner;

  beforeAll(async () => {
    partner = await emulatedPartner({ customers: 8 });
  });

  afterAll(async () => {
    await partner?.dispose();
  });

  it('reads back what -OutputFormat Csv writes (BOM included): the same fields as NDJSON', async () => {
    const property = ['-Property', 'id,companyProfile.companyName,companyProfile.domain'];
    const ndjson = await partner.runInProcess('Get-PartnerCustomer', property);
    const csv = await partner.runInProcess('Get-PartnerCustomer', [
      ...property,
      '-OutputFormat',
      'Csv',
      '-Encoding',
      'utf8BOM',
    ]);
    expect([ndjson.code, csv.code]).toEqual([0, 0]);
    const back = await convertFromCsv(csv.stdout);
    expect([back.code, back.stderr]).toEqual([0, '']);
    const expected = parseNdjson(ndjson.stdout).map((customer) => {
      const profile = customer.companyProfile as Record<string, string>;
      return {
        id: customer.id,
        'companyProfile.companyName': profile.companyName,
        'companyProfile.domain': profile.domain,
      };
    });
    expect(expected).toHaveLength(8);
    expect(parseNdjson(back.stdout)).toEqual(expected);
  });

  it("binds a seat plan's customerId column by property name, whatever the header's case", async () => {
    const data = partner.emulator.dataset;
    const customers = [...Array(8).keys()]
      .map((index) => data.idOf(index))
      .filter((id) => data.hasCommerceRelationship(id) && data.subscriptionsOf(id).length > 0)
      .slice(0, 2);
    expect(customers).toHaveLength(2);
    const plan = file(
      'plan.csv',
      `\ufeffCUSTOMERID,subscriptionId,quantity\r\n${customers
        .map((id) => `${id},${String(data.subscriptionsOf(id)[0]?.id)},12\r\n`)
        .join('')}`,
    );
    const rows = await importCsv([plan]);
    expect(rows.code).toBe(0);
    const got = await partner.runInProcess('Get-PartnerCustomerSubscription', [], rows.stdout);
    expect([got.code, got.stderr]).toEqual([0, '']);
    // Each row binds its subscriptionId too, so it gets its one subscription (the ById set binds
    // more of the row than the default List set), not its customer's whole list.
    expect(
      parseNdjson(got.stdout).map((subscription) => [subscription.customerId, subscription.id]),
    ).toEqual(customers.map((id) => [id, data.subscriptionsOf(id)[0]?.id]));
    const customersOnly = file(
      'customers.csv',
      `customerId,quantity\r\n${customers.map((id) => `${id},12\r\n`).join('')}`,
    );
    const listed = await partner.runInProcess(
      'Get-PartnerCustomerSubscription',
      [],
      (await importCsv([customersOnly])).stdout,
    );
    expect([listed.code, listed.stderr]).toEqual([0, '']);
    expect(parseNdjson(listed.stdout).map((subscription) => subscription.id)).toEqual(
      customers.flatMap((id) => data.subscriptionsOf(id).map((subscription) => subscription.id)),
    );
  });
});
