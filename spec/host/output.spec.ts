/**
 * What the host writes: each output format through runCmdlet with fixture cmdlets, objects that
 * arrive as JSON bytes through every format, Table and List for people at a forced terminal
 * width, the output sink on its own, and the `table` package's columns in real processes (from
 * dist/lib and from the bundle). One file because each of these loaded the host and its writers
 * afresh; each keeps its own describe, hooks and scratch directories.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, createWriteStream, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCmdlet, type ViewColumn } from '../../lib/cmdlet-support/cmdlet.js';
import { displayWidth } from '../../lib/common/text-width.js';
import { getThing, item, writeItems, writeJsonText } from '../fixtures/host/fixture-cmdlets.js';
import { runInProcess, Collector } from '../fixtures/host/run-in-process.js';
import { parseNdjson } from '../support/ndjson.js';
import {
  expectLinedUpByHand,
  guid,
  scriptRows,
  scriptView,
} from '../fixtures/text/script-table.js';
import { Writable } from 'node:stream';
import { OutputSink } from '../../lib/host/output/output-sink.js';
import { createRequire } from 'node:module';
import { tablePackage } from '../../lib/host/output/table-package.js';
import { cleanEnv, repoRoot, scratchConfigDir, spawnCollect } from '../support/cli.js';

describe('output formats', () => {
  /** Each output format, driven through runCmdlet with fixture cmdlets. */
  const configDir = mkdtempSync(join(tmpdir(), 'pc-output-'));
  afterAll(() => rmSync(configDir, { recursive: true, force: true }));
  const env = { PARTNERCENTER_CONFIG_DIR: configDir };

  describe('Ndjson', () => {
    it('is the default when stdout is not a terminal: one object per line, unchanged', async () => {
      const result = await runInProcess(writeItems, ['-Count', '3'], { env });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout.endsWith('\n')).toBe(true);
      expect(parseNdjson(result.stdout)).toEqual([item(0), item(1), item(2)]);
    });

    it('is not the default on a terminal: people get a table, or the format they saved', async () => {
      const shown = await runInProcess(writeItems, ['-Count', '1'], {
        env,
        stdoutIsTTY: true,
        columns: 80,
      });
      expect(shown.stdout.split('\n')[0]).toMatch(/^Id\s+Domain\s+Name$/);
      const saved = await runInProcess(writeItems, ['-Count', '1'], {
        env: { ...env, PARTNERCENTER_OUTPUT_FORMAT: 'csv' },
        stdoutIsTTY: true,
      });
      expect(saved.stdout.split('\r\n')[0]).toBe('Id,Domain,Name');
      const asked = await runInProcess(writeItems, ['-Count', '1', '-of', 'Ndjson'], {
        env,
        stdoutIsTTY: true,
      });
      expect(parseNdjson(asked.stdout)).toEqual([item(0)]);
    });

    it('ignores a saved format when stdout is not a terminal', async () => {
      const result = await runInProcess(writeItems, ['-Count', '1'], {
        env: { ...env, PARTNERCENTER_OUTPUT_FORMAT: 'Table' },
      });
      expect(parseNdjson(result.stdout)).toEqual([item(0)]);
    });

    it('-Property keeps only the given paths, nested as they were', async () => {
      const result = await runInProcess(
        writeItems,
        ['-Count', '1', '-Property', 'id,companyprofile.domain,missing'],
        { env },
      );
      expect(parseNdjson(result.stdout)).toEqual([
        {
          id: item(0).id,
          companyProfile: { domain: item(0).companyProfile.domain },
          missing: null,
        },
      ]);
    });

    it('coalesces many small objects into few writes', async () => {
      const { Collector } = await import('../fixtures/host/run-in-process.js');
      const stdout = new Collector();
      await runInProcess(writeItems, ['-Count', '1000'], { env, stdout });
      expect(parseNdjson(stdout.text)).toHaveLength(1000);
      expect(stdout.writes).toBeLessThan(20);
    });
  });

  describe('Json', () => {
    it('writes one array that parses to the objects, every write ending a line', async () => {
      const result = await runInProcess(writeItems, ['-Count', '3', '-OutputFormat', 'json'], {
        env,
      });
      expect(JSON.parse(result.stdout)).toEqual([item(0), item(1), item(2)]);
      expect(result.stdout.startsWith('[\n  {')).toBe(true);
      expect(result.stdout.endsWith('\n]\n')).toBe(true);
    });

    it('writes [] for no objects', async () => {
      expect((await runInProcess(writeItems, ['-Count', '0', '-of', 'Json'], { env })).stdout).toBe(
        '[]\n',
      );
    });

    it('still closes the array when the cmdlet fails midway', async () => {
      const result = await runInProcess(
        writeItems,
        ['-Count', '5', '-FailAfter', '2', '-of', 'Json'],
        { env },
      );
      expect(result.code).toBe(5);
      expect(JSON.parse(result.stdout)).toEqual([item(0), item(1)]);
    });

    it('applies -Property', async () => {
      const result = await runInProcess(
        writeItems,
        ['-Count', '1', '-of', 'Json', '-Property', 'id'],
        { env },
      );
      expect(JSON.parse(result.stdout)).toEqual([{ id: item(0).id }]);
    });
  });

  describe('Csv', () => {
    it('follows RFC 4180: header from the view, CRLF, quotes doubled in quoted fields', async () => {
      const result = await runInProcess(writeItems, ['-Count', '2', '-of', 'Csv'], { env });
      expect(result.stdout).toBe(
        [
          'Id,Domain,Name',
          `${item(0).id},contoso0.onmicrosoft.com,콘토소 0`,
          `${item(1).id},contoso1.onmicrosoft.com,"Contoso, ""Ltd"" 1"`,
          '',
        ].join('\r\n'),
      );
    });

    it('takes its columns from -Property, as dotted names', async () => {
      const result = await runInProcess(
        writeItems,
        ['-Count', '1', '-of', 'Csv', '-Property', 'companyProfile.domain,relationshipToPartner'],
        { env },
      );
      expect(result.stdout).toBe(
        'companyProfile.domain,relationshipToPartner\r\ncontoso0.onmicrosoft.com,reseller\r\n',
      );
    });

    it('flattens the first object when there is no view', async () => {
      const result = await runInProcess(
        getThing,
        ['-Domain', 'x', '-of', 'Csv', '-Property', 'parameters'],
        { env },
      );
      expect(result.stdout.split('\r\n')[0]).toBe('parameters');
      expect(result.stdout.split('\r\n')[1]).toMatch(/^"\{""Domain"":""x""/);
    });
  });

  describe('Table', () => {
    it('draws headings, a rule and one line per object, fitted to the terminal width', async () => {
      const result = await runInProcess(writeItems, ['-Count', '4', '-of', 'Table'], {
        env,
        columns: 80,
      });
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^Id\s+Domain\s+Name$/);
      expect(lines[1]).toMatch(/^--\s+------\s+----$/);
      expect(lines).toHaveLength(6);
      expect(lines[2]).toContain(item(0).id);
      expect(lines[2]).toContain('콘토소 0');
      for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    });

    it('cuts long cells on a narrow terminal rather than wrapping', async () => {
      const result = await runInProcess(writeItems, ['-Count', '3', '-of', 'Table'], {
        env,
        columns: 50,
      });
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(5);
      for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(50);
      expect(result.stdout).toContain('…');
    });

    it('keeps a column with a declared least width whole while the others give way', async () => {
      const statuses = defineCmdlet({
        name: 'Get-Statuses',
        synopsis: 'Fixture.',
        description: 'Rows whose status column declares its least width.',
        parameters: {},
        view: [
          { name: 'Identifier', path: 'id', kind: 'id' },
          { name: 'Description', path: 'description', kind: 'text' },
          { name: 'Status', path: 'status', minWidth: 11 },
          { name: 'Remarks', path: 'remarks', kind: 'text' },
        ],
        examples: [],
        async *run() {
          for (const status of ['active', 'expiresSoon'])
            yield {
              id: 'x'.repeat(30),
              description: 'd'.repeat(40),
              status,
              remarks: 'r'.repeat(40),
            };
        },
      });
      // 60 columns: the id stays whole, and so must the status; the two texts give way.
      const result = await runInProcess(statuses, ['-of', 'Table'], { env, columns: 60 });
      const lines = result.stdout.trimEnd().split('\n');
      for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(60);
      expect(lines[3]).toContain(` ${'x'.repeat(30)} `.trimStart());
      expect(lines[3]).toContain(' expiresSoon ');
      expect(lines[3]).toMatch(/ d+… /);
    });

    it("streams: rows of later pages keep the first page's columns", async () => {
      const result = await runInProcess(
        writeItems,
        ['-Count', '250', '-Pause', '5', '-of', 'Table'],
        { env, columns: 120 },
      );
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(252);
      const domainColumn = lines[0]!.indexOf('Domain');
      expect(lines[2 + 200]!.indexOf('contoso200')).toBe(domainColumn);
    });

    it('blanks control characters so data cannot drive the terminal', async () => {
      const result = await runInProcess(
        getThing,
        ['-Domain', 'evil\u001b]0;pwned\u0007', '-of', 'Table', '-Property', 'parameters.Domain'],
        { env },
      );
      expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
      expect(result.stdout).toContain('evil ]0;pwned');
    });
  });

  describe('preformatted text', () => {
    it('is written as it is, whatever the format', async () => {
      for (const format of ['Ndjson', 'Json', 'Csv', 'Table']) {
        expect((await runInProcess(writeItems, ['-Text', '-of', format], { env })).stdout).toBe(
          'line one\nline two\n',
        );
      }
    });
  });
});

describe('JSON text output', () => {
  /**
   * Objects that arrive as JSON bytes (a listing's pages) through every output format: Ndjson writes
   * the service's bytes as they are, everything else sees the parsed objects, and nothing is lost.
   */
  const configDir = mkdtempSync(join(tmpdir(), 'pc-json-text-'));
  afterAll(() => rmSync(configDir, { recursive: true, force: true }));
  const env = { PARTNERCENTER_CONFIG_DIR: configDir };

  // Written the way a service might: escapes JSON.stringify would not use, a number beyond 2^53.
  const itemTexts = [
    '{"id":"a1","companyProfile":{"companyName":"Caf\\u00e9 \\/ ' +
      'Bar","domain":"cafe.example"},"seats":12345678901234567890}',
    '{"id":"b2","companyProfile":{"companyName":"콘토소","domain":"kontoso.example"},' +
      '"tags":["x",{"deep":[1,2.5e3,null,true]}]}',
  ];
  const page = (items: string[]) =>
    `{"totalCount":${items.length},"items":[${items.join(',')}],"links":{},"attributes":{"objectType":"Collection"}}`;
  const run = (
    body: string,
    more: string[] = [],
    options: Parameters<typeof runInProcess>[2] = {},
  ) => runInProcess(writeJsonText, ['-Body', body, ...more], { env, ...options });

  describe('objects that arrived as JSON bytes', () => {
    it('Ndjson writes each item exactly as the service sent it, one line each', async () => {
      const result = await run(page(itemTexts));
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${itemTexts.join('\n')}\n`);
    });

    it('an item spread over several lines by the service becomes one compact line', async () => {
      const pretty = JSON.stringify(JSON.parse(page(itemTexts)), null, 2);
      const result = await run(pretty);
      const lines = result.stdout.split('\n').filter(Boolean);
      expect(lines).toHaveLength(2);
      expect(lines.map((line) => JSON.parse(line))).toEqual(
        itemTexts.map((text) => JSON.parse(text)),
      );
      expect(lines[1]).toBe(JSON.stringify(JSON.parse(itemTexts[1]!)));
    });

    it('-Property, Json, Csv and Table see the parsed objects', async () => {
      const body = page(itemTexts);
      expect(
        parseNdjson((await run(body, ['-Property', 'id,companyProfile.domain'])).stdout),
      ).toEqual([
        { id: 'a1', companyProfile: { domain: 'cafe.example' } },
        { id: 'b2', companyProfile: { domain: 'kontoso.example' } },
      ]);
      expect(JSON.parse((await run(body, ['-OutputFormat', 'Json'])).stdout)).toEqual(
        itemTexts.map((text) => JSON.parse(text)),
      );
      expect((await run(body, ['-OutputFormat', 'Csv'])).stdout.split('\r\n').slice(0, 3)).toEqual([
        'Id,Name',
        'a1,Café / Bar',
        'b2,콘토소',
      ]);
      const table = (await run(body, ['-OutputFormat', 'Table'])).stdout;
      expect(table).toContain('Café / Bar');
      expect(table).toContain('콘토소');
    });

    it('many pages are coalesced into large writes and keep their order', async () => {
      const items = Array.from(
        { length: 500 },
        (_, n) => `{"id":"${n}","name":"${'é'.repeat(n % 7)}"}`,
      );
      const stdout = new Collector();
      await run(page(items), ['-Pages', '20'], { stdout });
      const lines = stdout.text.split('\n').filter(Boolean);
      expect(lines).toHaveLength(10_000);
      expect(lines.slice(0, 500)).toEqual(items);
      expect(lines.slice(9_500)).toEqual(items);
      // About 250 KB in chunks of 64 KB: a handful of writes, not one per line or per page.
      expect(stdout.writes).toBeLessThan(10);
    });
  });
});

describe('tables for people', () => {
  /**
   * Table and List output for people, driven in-process with a forced terminal width: columns line
   * up in every script (checked by column, with widths counted by hand, never with the module's own
   * width function), ids are never cut, text takes the room left, lesser columns are left out
   * first, rows are grouped, dates are shown for people; the terminal's default format; Csv that a
   * spreadsheet opens safely.
   */
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
      expiresOn: ['2028-07-19T07:20:32.245Z', '2026-12-25T00:00:00Z', '2027-01-02T10:00:00+00:00'][
        i
      ],
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
});

describe('output sink', () => {
  /** The sink on its own: order, whole lines, chunking, reuse of chunks, and backpressure. */
  /** A stream that keeps every Buffer it is given (as a PassThrough would) and reads slowly. */
  class KeepingStream extends Writable {
    readonly kept: Buffer[] = [];
    constructor(private readonly delayMs = 0) {
      super({ highWaterMark: 16 * 1024 });
    }
    override _write(
      chunk: Buffer,
      _encoding: BufferEncoding,
      callback: (error?: Error | null) => void,
    ): void {
      this.kept.push(chunk);
      if (this.delayMs) setTimeout(callback, this.delayMs);
      else callback();
    }
    get text(): string {
      return Buffer.concat(this.kept).toString('utf8');
    }
  }

  const events = {
    onClosed: () => undefined,
    onFailed: (error: Error) => {
      throw error;
    },
  };

  /** Writes lines through the sink, waiting whenever it says the stream is congested. */
  async function writeAll(sink: OutputSink, lines: Array<string | Buffer>): Promise<void> {
    for (const line of lines) {
      const room =
        typeof line === 'string' ? sink.write(line) : sink.writeLine(line, 0, line.length);
      if (room) await room;
    }
    await sink.end();
  }

  describe('OutputSink', () => {
    it('keeps the order of text, byte lines and lines larger than a chunk', async () => {
      const stream = new KeepingStream();
      const big = `${'x'.repeat(200_000)}\n`;
      const parts: Array<string | Buffer> = [
        'one\n',
        Buffer.from('{"name":"콘토소"}'),
        big,
        'after\n',
        Buffer.from('y'.repeat(70_000)),
        'end\n',
      ];
      await writeAll(new OutputSink(stream, events), parts);
      expect(stream.text).toBe(`one\n{"name":"콘토소"}\n${big}after\n${'y'.repeat(70_000)}\nend\n`);
    });

    it(
      'a stream that keeps the buffers it was given never sees them change ' +
        '(chunks are not reused by default)',
      async () => {
        const stream = new KeepingStream();
        const lines = Array.from({ length: 20_000 }, (_, n) => `line ${n} ${'é'.repeat(n % 13)}\n`);
        await writeAll(new OutputSink(stream, events), lines);
        expect(stream.text).toBe(lines.join(''));
        expect(stream.kept.length).toBeGreaterThan(3);
      },
    );

    it(
      'with reuse (process.stdout), a file written through a slow stream still ' +
        'gets every byte in order',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'pc-sink-'));
        try {
          const path = join(dir, 'out.ndjson');
          const stream = createWriteStream(path);
          const lines = Array.from({ length: 30_000 }, (_, n) =>
            Buffer.from(`{"n":${n},"s":"${'ü'.repeat(n % 17)}"}`),
          );
          await writeAll(new OutputSink(stream, events, { reuseChunks: true }), lines);
          await new Promise((resolve) => stream.end(resolve));
          expect(readFileSync(path, 'utf8')).toBe(
            lines.map((line) => `${line.toString('utf8')}\n`).join(''),
          );
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );

    it('says when the stream is congested and lets the producer go on once it drained', async () => {
      const stream = new KeepingStream(2);
      const sink = new OutputSink(stream, events);
      let congested = 0;
      const lines = Array.from({ length: 5_000 }, (_, n) => `${'z'.repeat(100)} ${n}\n`);
      for (const line of lines) {
        const room = sink.write(line);
        if (room) {
          congested++;
          await room;
        }
      }
      await sink.end();
      expect(congested).toBeGreaterThan(0);
      expect(stream.text).toBe(lines.join(''));
    });

    it('turns silent once the reader went away, and says so once', async () => {
      let closed = 0;
      const stream = new Writable({
        write(_chunk, _encoding, callback) {
          callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
        },
      });
      const sink = new OutputSink(stream, {
        onClosed: () => closed++,
        onFailed: (error) => {
          throw error;
        },
      });
      sink.write('a\n');
      sink.flush();
      await new Promise((resolve) => setImmediate(resolve));
      expect(sink.closed).toBe(true);
      expect(sink.write('b\n')).toBeUndefined();
      expect(sink.writeLine(Buffer.from('c'), 0, 1)).toBeUndefined();
      await sink.end();
      expect(closed).toBe(1);
    });
  });
});

describe('table package', () => {
  /**
   * Tables are drawn by the `table` package measuring cells with the module's own width function
   * (lib/host/output/table-package.ts), in every way the module runs: in-process under Jest
   * (the tables for people cases above), and here in real processes from dist/lib (the Node API,
   * on Node's own module loader) and from the esbuild bundle that bin/ runs. Columns are checked
   * against widths counted by hand, in every script. Needs the build (`npm test` runs it first).
   */
  const fixture = join(repoRoot, 'spec', 'fixtures', 'host', 'rows-process.mjs');

  describe.each(['lib', 'bundle'])('a table drawn by a real process from dist/%s', (build) => {
    it.each([120, 60])('lines up every column at %i columns, in every script', async (columns) => {
      const entry = build === 'bundle' ? 'bundle/host.js' : 'lib/host/main.js';
      expect(existsSync(join(repoRoot, 'dist', entry))).toBe(true);
      const scratch = scratchConfigDir();
      try {
        const args = [
          JSON.stringify(scriptView),
          JSON.stringify(scriptRows),
          '-OutputFormat',
          'Table',
        ];
        const result = await spawnCollect(process.execPath, [fixture, build, ...args], {
          env: cleanEnv({ PARTNERCENTER_CONFIG_DIR: scratch.dir, COLUMNS: String(columns) }),
        });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expectLinedUpByHand(result.stdout, columns);
      } finally {
        scratch.dispose();
      }
    });
  });

  describe('the table package', () => {
    // One column, no borders or padding: a shorter cell is padded to the widest one's width.
    const draw = (table: typeof import('table').table) =>
      table([['สวัสดี'], ['abcd']], {
        border: tablePackage().getBorderCharacters('void'),
        columnDefault: { paddingLeft: 0, paddingRight: 0 },
        drawHorizontalLine: () => false,
      }).split('\n');

    it('measures with our width: สวัสดี takes 4 columns, its marks none', () => {
      expect(draw(tablePackage().table)).toEqual(['สวัสดี', 'abcd', '']);
    });

    it('is a private copy: the table a program requires itself keeps its own measure', () => {
      const programs = createRequire(import.meta.url)('table') as typeof import('table');
      expect(programs.table).not.toBe(tablePackage().table);
      // string-width 4 counts the two marks as columns: 6.
      expect(draw(programs.table)).toEqual(['สวัสดี', 'abcd  ', '']);
    });
  });
});
