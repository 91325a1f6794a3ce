/**
 * Objects that arrive as JSON bytes (a listing's pages) through every output format: Ndjson writes
 * the service's bytes as they are, everything else sees the parsed objects, and nothing is lost.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJsonText } from '../fixtures/host/fixture-cmdlets.js';
import { Collector, runInProcess } from '../fixtures/host/run-in-process.js';
import { parseNdjson } from '../support/ndjson.js';

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
const run = (body: string, more: string[] = [], options: Parameters<typeof runInProcess>[2] = {}) =>
  runInProcess(writeJsonText, ['-Body', body, ...more], { env, ...options });

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
