/** Each output format, driven through runCmdlet with fixture cmdlets. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCmdlet } from '../../lib/cmdlet-support/cmdlet.js';
import { displayWidth } from '../../lib/common/text-width.js';
import { getThing, item, writeItems } from '../fixtures/host/fixture-cmdlets.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { parseNdjson } from '../support/ndjson.js';

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
      { id: item(0).id, companyProfile: { domain: item(0).companyProfile.domain }, missing: null },
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
