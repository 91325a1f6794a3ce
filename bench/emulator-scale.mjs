/**
 * The emulator derives every customer on demand, so its size costs nothing up front: a start with
 * 1,000,000 customers against one with 10 (median of `rounds` each), and the time to answer the
 * last customer of the million (a page of its users and its subscriptions). These were once wall-
 * clock bounds in a spec (now spec/emulator/customer-resources.spec.ts, "a million customers"),
 * which a busy machine broke; the spec keeps the behaviour (the last customer answers with the
 * right data), the numbers live here.
 */
import https from 'node:https';
import { startEmulator } from '../dist/lib/emulator/index.js';
import { benchArgs, fixed, heading, median, ratio, table, verdict } from './support/harness.mjs';

function get(emulator, path, token) {
  return new Promise((resolve, reject) => {
    https
      .get(
        `${emulator.apiEndpoint}${path}`,
        { ca: emulator.caCertificate, headers: { Authorization: `Bearer ${token}` } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      )
      .on('error', reject);
  });
}

async function timedStart(customers) {
  const started = performance.now();
  const emulator = await startEmulator({ customers, seed: 2 });
  return { emulator, ms: performance.now() - started };
}

export async function emulatorScale({ rounds = 3 } = {}) {
  heading('Emulator: size costs nothing up front');
  const small = [];
  const large = [];
  const lastCustomer = [];
  for (let round = 0; round < rounds; round++) {
    const ten = await timedStart(10);
    small.push(ten.ms);
    await ten.emulator.close();
    const million = await timedStart(1_000_000);
    large.push(million.ms);
    try {
      const token = million.emulator.issueAccessToken({ delegated: true });
      const id = million.emulator.dataset.idOf(
        million.emulator.dataset.customersWithManyUsers().at(-1),
      );
      const before = performance.now();
      const statuses = [
        await get(million.emulator, `/v1/customers/${id}/users?size=500`, token),
        await get(million.emulator, `/v1/customers/${id}/subscriptions`, token),
      ];
      lastCustomer.push(performance.now() - before);
      if (statuses.some((status) => status !== 200))
        throw new Error(`the last customer answered ${statuses.join(', ')}`);
    } finally {
      await million.emulator.close();
    }
  }
  const [tenMs, millionMs, lastMs] = [median(small), median(large), median(lastCustomer)];
  table([
    ['', 'median ms'],
    ['start, 10 customers', fixed(tenMs)],
    ['start, 1,000,000 customers', `${fixed(millionMs)} (${ratio(millionMs, tenMs)})`],
    ["the millionth's users page + subscriptions", fixed(lastMs)],
  ]);
  return [
    verdict(
      millionMs < tenMs * 2 + 1500,
      'a million customers start within 2x (+1.5 s) of ten: nothing is precomputed',
    ),
    verdict(lastMs < 2000, 'the last of a million customers answers within 2 s'),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) await emulatorScale(benchArgs({ rounds: 3 }));
