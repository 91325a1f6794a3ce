/**
 * Which saved context is the default, as a person sees it: Connect-Partner -ContextName makes a
 * new context the default only when there is none (or with -SetDefault); Get-PartnerContext
 * -ListAvailable marks the default (also in its table); "not connected" names the saved contexts
 * and how to pick one; Set-PartnerContext shows the settings it saved. The real cmdlets, in-process,
 * against the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

let partner: EmulatedPartner;

beforeAll(async () => {
  partner = await emulatedPartner({}, false);
});
afterAll(() => partner.dispose());

async function connect(name: string, ...more: string[]): Promise<Record<string, unknown>> {
  const connected = await partner.runInProcess('Connect-Partner', [
    ...partner.connectArgs,
    '-ContextName',
    name,
    ...more,
  ]);
  expect(connected.stderr).toBe('');
  expect(connected.code).toBe(0);
  return parseNdjson(connected.stdout)[0]!;
}

const savedDefault = () =>
  (
    JSON.parse(readFileSync(join(partner.configDir, 'settings.json'), 'utf8')) as {
      defaultContext?: string;
    }
  ).defaultContext;

async function listed(env: NodeJS.ProcessEnv = {}): Promise<Record<string, unknown>[]> {
  Object.assign(partner.env, env);
  try {
    const result = await partner.runInProcess('Get-PartnerContext', ['-ListAvailable']);
    expect(result.code).toBe(0);
    return parseNdjson(result.stdout);
  } finally {
    for (const key of Object.keys(env)) delete partner.env[key];
  }
}

const defaults = (contexts: Record<string, unknown>[]) =>
  contexts.filter((context) => context.isDefault === true).map((context) => context.name);

describe('the default context', () => {
  it('is not there before any context is saved, and "not connected" says to connect', async () => {
    const result = await partner.runInProcess('Get-PartnerCustomer', ['-First', '1']);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      'Get-PartnerCustomer: Not connected to Partner Center. Run Connect-Partner first (see ' +
        'Get-Help Connect-Partner).\n',
    );
  });

  it('is the first context connected, whatever its name', async () => {
    expect(await connect('first')).toMatchObject({ name: 'first', isDefault: true });
    expect(savedDefault()).toBe('first');
  });

  it('stays as it was when another context is connected by name', async () => {
    expect(await connect('second')).toMatchObject({ name: 'second', isDefault: false });
    expect(savedDefault()).toBe('first');
    // Reconnecting the default keeps it the default.
    expect(await connect('first')).toMatchObject({ isDefault: true });
  });

  it('moves to the new context with -SetDefault', async () => {
    expect(await connect('third', '-SetDefault')).toMatchObject({ isDefault: true });
    expect(savedDefault()).toBe('third');
  });

  it('is marked in -ListAvailable, also while PARTNERCENTER_CONTEXT picks another', async () => {
    expect(defaults(await listed())).toEqual(['third']);
    expect(defaults(await listed({ PARTNERCENTER_CONTEXT: 'second' }))).toEqual(['third']);
    const current = await partner.runInProcess('Get-PartnerContext', ['-Context', 'second']);
    expect(parseNdjson(current.stdout)[0]).toMatchObject({ name: 'second', isDefault: false });
  });

  it('is a column of the -ListAvailable table', async () => {
    const table = await partner.runInProcess('Get-PartnerContext', [
      '-ListAvailable',
      '-OutputFormat',
      'Table',
    ]);
    expect(table.code).toBe(0);
    const [header, , ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^Name\s+Default\s+Environment/);
    expect(rows.map((row) => row.split(/\s+/).slice(0, 2))).toEqual([
      ['first', 'false'],
      ['second', 'false'],
      ['third', 'true'],
    ]);
  });
});

describe('"not connected" with contexts saved', () => {
  it('names them and Select-PartnerContext when the default is gone', async () => {
    rmSync(join(partner.configDir, 'contexts', 'third.json'));
    const result = await partner.runInProcess('Get-PartnerCustomer', ['-First', '1']);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      "Get-PartnerCustomer: Not connected to Partner Center: the default context 'third' is " +
        'no longer saved (saved: first, second). Choose the default with Select-PartnerContext ' +
        '<name> (Get-PartnerContext -ListAvailable shows them), or one for a command with ' +
        '-Context <name>.\n',
    );
    const context = await partner.runInProcess('Get-PartnerContext');
    expect(context.code).toBe(3);
    expect(context.stderr).toMatch(/saved: first, second\)\. Choose the default with Select/);
  });

  it('names them for a context that -Context names and no one saved', async () => {
    const result = await partner.runInProcess('Get-PartnerCustomer', ['-Context', 'nope']);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      "Get-PartnerCustomer: There is no saved context named 'nope' (saved: first, second). Use " +
        'one of the saved names (Get-PartnerContext -ListAvailable shows them), or save this ' +
        'one with Connect-Partner -ContextName nope.\n',
    );
  });

  it('lets a connection by name become the default again once the old one is gone', async () => {
    expect(await connect('fourth')).toMatchObject({ isDefault: true });
    expect(savedDefault()).toBe('fourth');
  });
});

describe('Set-PartnerContext', () => {
  it('shows the settings it saved, and Get-PartnerContext shows them from then on', async () => {
    const set = await partner.runInProcess('Set-PartnerContext', [
      '-DefaultOutputFormat',
      'Table',
      '-MaxRetry',
      '7',
    ]);
    expect(set.code).toBe(0);
    expect(parseNdjson(set.stdout)[0]).toMatchObject({
      name: 'fourth',
      isDefault: true,
      defaultOutputFormat: 'Table',
      maxRetry: 7,
    });
    const other = await partner.runInProcess('Set-PartnerContext', [
      'first',
      '-MaxRetryWaitSeconds',
      '60',
    ]);
    expect(parseNdjson(other.stdout)[0]).toMatchObject({
      name: 'first',
      isDefault: false,
      maxRetryWaitSeconds: 60,
    });
    const shown = await partner.runInProcess('Get-PartnerContext');
    expect(parseNdjson(shown.stdout)[0]).toMatchObject({
      name: 'fourth',
      defaultOutputFormat: 'Table',
      maxRetry: 7,
    });
  });

  it('shows the settings as a table too (where a person set tables as the default)', async () => {
    const table = await partner.runInProcess('Set-PartnerContext', [
      '-MaxRetry',
      '8',
      '-OutputFormat',
      'Table',
    ]);
    expect(table.code).toBe(0);
    const [header, , row] = table.stdout.split('\n');
    expect(header).toMatch(
      /^Name\s+Default\s+DefaultOutputFormat\s+MaxRetry\s+MaxRetryWaitSeconds/,
    );
    expect(row!.split(/\s+/).slice(0, 4)).toEqual(['fourth', 'true', 'Table', '8']);
  });

  it('names the saved contexts when the one it should change is not saved', async () => {
    const result = await partner.runInProcess('Set-PartnerContext', ['gone', '-MaxRetry', '1']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/no saved context named 'gone' \(saved: first, fourth, second\)/);
  });
});
