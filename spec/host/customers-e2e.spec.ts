/**
 * The host's promises with the real Get-PartnerCustomer against the emulator: pipelines by
 * property name between real processes, a table on a real terminal, and a -Debug trace as a
 * process (main() adds Node's own warnings to it). Every output format and bad input lines (exit 2
 * with -ErrorAction Stop, 1 without) run the same host and cmdlet in this process, where they show
 * the same at no process start-up (spec/README.md, "Process or in-process").
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { binPath, parseNdjson, runBash } from '../support/cli.js';
import { requireTools } from '../support/required-tools.js';
import { emulatedPartner, idsOf, type EmulatedPartner } from '../support/emulated-partner.js';

let partner: EmulatedPartner;
beforeAll(async () => {
  partner = await emulatedPartner({ customers: 12 });
});
afterAll(() => partner?.dispose());

const bin = (name: string) => `"${process.execPath}" "${binPath(name)}"`;

/** Runs a bash pipeline of real commands; reports each command's exit status. */
async function pipeline(
  script: string,
): Promise<{ stdout: string; stderr: string; statuses: number[] }> {
  const { stdout, stderr } = await runBash(`${script}; echo "statuses=\${PIPESTATUS[*]}" >&2`, {
    env: partner.env,
  });
  const match = /statuses=([\d ]+)\n$/.exec(stderr);
  return {
    stdout,
    stderr: stderr.replace(/statuses=.*\n$/, ''),
    statuses: (match?.[1] ?? '').split(' ').map(Number),
  };
}

describe('pipelines of real commands', () => {
  it('Get-PartnerCustomer -First 5 | Get-PartnerCustomer returns each customer in full', async () => {
    const result = await pipeline(
      `${bin('Get-PartnerCustomer')} -First 5 | ${bin('Get-PartnerCustomer')}`,
    );
    expect(result.statuses).toEqual([0, 0]);
    expect(result.stderr).toBe('');
    const customers = parseNdjson(result.stdout);
    expect(idsOf(customers)).toEqual(
      partner.emulator.customers.slice(0, 5).map((customer) => customer.id),
    );
    for (const customer of customers) expect(customer).toHaveProperty('billingProfile');
  });
});

describe('bad input lines', () => {
  it(
    'a malformed line stops the downstream command naming the line with -ErrorAction Stop ' +
      '(exit 2); by default it goes on (exit 1)',
    async () => {
      const first = partner.emulator.customers[0]!.id as string;
      const third = partner.emulator.customers[2]!.id as string;
      const input = `{"id":"${first}"}\n{oops\n{"id":"${third}"}\n`;
      const stop = await partner.runInProcess(
        'Get-PartnerCustomer',
        ['-ErrorAction', 'Stop'],
        input,
      );
      expect(stop.code).toBe(2);
      expect(stop.stderr).toMatch(/^Get-PartnerCustomer: Input line 2 is not valid JSON/);
      expect(stop.stderr.trim().split('\n')).toHaveLength(1);
      expect(idsOf(parseNdjson(stop.stdout))).toEqual([first]);
      const goOn = await partner.runInProcess('Get-PartnerCustomer', [], input);
      expect(goOn.code).toBe(1);
      expect(idsOf(parseNdjson(goOn.stdout))).toEqual([first, third]);
    },
  );
});

describe('every output format with real customers', () => {
  it('Json is one array of the same customers Ndjson writes', async () => {
    const ndjson = await partner.runInProcess('Get-PartnerCustomer', ['-First', '4']);
    const json = await partner.runInProcess('Get-PartnerCustomer', [
      '-First',
      '4',
      '-OutputFormat',
      'Json',
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(parseNdjson(ndjson.stdout));
  });

  it('Csv has the customer view as its header and one record per customer', async () => {
    const result = await partner.runInProcess('Get-PartnerCustomer', ['-First', '3', '-of', 'csv']);
    const records = result.stdout.split('\r\n');
    expect(records[0]).toBe('CustomerId,Domain,Name,Relationship');
    expect(records.slice(1, -1)).toHaveLength(3);
    expect(records[1]!.startsWith(`${partner.emulator.customers[0]!.id as string},`)).toBe(true);
  });

  it('Table shows the customer view', async () => {
    const result = await partner.runInProcess('Get-PartnerCustomer', [
      '-First',
      '3',
      '-of',
      'Table',
      '-Property',
      'id,relationshipToPartner',
    ]);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id +relationshipToPartner$/);
    expect(lines).toHaveLength(5);
  });
});

describe('-Debug', () => {
  it('traces without a token or the client secret anywhere on stderr', async () => {
    // A process: main() also turns Node's own warnings into DEBUG lines under -Debug.
    const result = await partner.run('Get-PartnerCustomer', ['-First', '2', '-Debug']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^DEBUG: /m);
    expect(result.stderr).not.toMatch(/eyJ[\w-]{10,}/);
    expect(result.stderr).not.toContain(partner.emulator.clientSecret);
    for (const line of result.stderr.trim().split('\n')) expect(line).toMatch(/^DEBUG: /);
  });
});

describe('on a real terminal (tmux)', () => {
  requireTools('tmux');
  it('lists customers as a table with the customer view when the context prefers Table', async () => {
    const socket = join(partner.configDir, 'tmux.sock');
    const tmuxRun = (...args: string[]) =>
      execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
    const session = 'customers';
    tmuxRun(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '150',
      '-y',
      '30',
      '-e',
      `PARTNERCENTER_CONFIG_DIR=${partner.configDir}`,
      '-e',
      `PARTNERCENTER_CLIENT_SECRET=${partner.emulator.clientSecret}`,
      '-e',
      'PARTNERCENTER_OUTPUT_FORMAT=Table',
      'bash',
      '--norc',
      '--noprofile',
    );
    try {
      tmuxRun(
        'send-keys',
        '-t',
        session,
        `${bin('Get-PartnerCustomer')} -First 3; echo DONE=$?`,
        'Enter',
      );
      let screen = '';
      for (let i = 0; i < 200 && !/^DONE=\d/m.test(screen); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        screen = tmuxRun('capture-pane', '-p', '-t', session);
      }
      expect(screen).toMatch(/^DONE=0/m);
      expect(screen).toMatch(/^CustomerId +Domain +Name +Relationship$/m);
      const first = partner.emulator.customers[0]!;
      expect(screen).toContain(first.id as string);
    } finally {
      spawnSync('tmux', ['-S', socket, 'kill-server']);
    }
  });
});
