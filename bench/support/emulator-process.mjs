/**
 * The emulator in a process of its own, driven over IPC by the benchmarks: its CPU work then never
 * shares an event loop with the harness's clocks. It also counts the TCP connections accepted, so a
 * benchmark can check that a listing used one connection for all its pages.
 */
import dc from 'node:diagnostics_channel';
import { startEmulator } from '../../dist/lib/emulator/index.js';
import { licensedProducts } from '../../dist/lib/emulator/partner-center/catalog.js';

const options = JSON.parse(process.argv[2] ?? '{}');
let connections = 0;
let cpuSince = process.cpuUsage();
dc.subscribe('net.server.socket', () => connections++);

const emulator = await startEmulator(options);

/** Each SKU's maximum seat count by offer id, new-commerce and legacy. */
const maximumOf = new Map(
  licensedProducts.flatMap((product) => [
    [product.nceOfferId, product.maximumQuantity],
    [product.legacyOfferId, product.maximumQuantity],
  ]),
);

const commands = {
  // cpuMs: this process's CPU time (user + system) since the last reset: the emulator's own cost.
  stats: () => {
    const cpu = process.cpuUsage(cpuSince);
    return {
      connections,
      requests: emulator.counters().requests,
      // Partner Center API requests and 429s, in total and per tenant.
      api: emulator.counters().api,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
  },
  reset: () => {
    connections = 0;
    cpuSince = process.cpuUsage();
    emulator.resetCounters();
  },
  configure: (settings) => emulator.configure(settings),
  // Each customer's subscription ids as the data set has them (null: no commerce relationship, the
  // API answers 403), to check a run lost or repeated nothing.
  subscriptionIds: (customerIds) =>
    Object.fromEntries(
      customerIds.map((id) => [
        id,
        emulator.dataset.hasCommerceRelationship(id)
          ? emulator.dataset.subscriptionsOf(id).map((subscription) => subscription.id)
          : null,
      ]),
    ),
  // Active subscriptions with room for `add` more seats under their SKU's maximum, as the store has
  // them now: rows of a seat plan the emulator's rules accept (bench/seat-changes.mjs). The Azure
  // offer (one "seat", no SKU here) is never one.
  changeableSubscriptions: ({ limit, add }) => {
    const rows = [];
    for (let index = 0; index < emulator.customerCount && rows.length < limit; index++) {
      const customerId = emulator.dataset.idOf(index);
      if (!emulator.dataset.hasCommerceRelationship(customerId)) continue;
      for (const subscription of emulator.dataset.subscriptionsOf(customerId))
        if (
          subscription.status === 'active' &&
          subscription.quantity + add <= (maximumOf.get(subscription.offerId) ?? 0) &&
          rows.length < limit
        )
          rows.push({
            customerId,
            subscriptionId: subscription.id,
            quantity: subscription.quantity,
          });
    }
    return rows;
  },
  // Each row's quantity as every later read sees it: [customerId, subscriptionId] -> quantity.
  quantities: (pairs) =>
    pairs.map(
      ([customerId, subscriptionId]) =>
        emulator.dataset.subscriptionsOf(customerId).find((s) => s.id === subscriptionId)?.quantity,
    ),
  // A token for the hand-written loops (the cmdlets use the one Connect-Partner stored).
  token: () => emulator.issueAccessToken({ lifetimeSeconds: 6 * 3600 }),
  // The billing export's hand-written client (bench/billing-export.mjs): Microsoft Graph's token
  // and the latest invoice, the one with `billingLineItems` lines.
  billing: () => {
    const [latest] = emulator.billing.invoices();
    return {
      graphEndpoint: emulator.graphEndpoint,
      graphToken: emulator.issueAccessToken({
        audience: 'https://graph.microsoft.com',
        lifetimeSeconds: 6 * 3600,
      }),
      invoiceId: latest.id,
      lines: latest.lineItemCount,
    };
  },
  close: async () => {
    await emulator.close();
    setImmediate(() => process.exit(0));
  },
};

process.on('message', async ({ id, command, argument }) => {
  try {
    process.send({ id, result: await commands[command](argument) });
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));

process.send({
  ready: {
    apiEndpoint: emulator.apiEndpoint,
    authorityHost: emulator.authorityHost,
    tenantId: emulator.tenantId,
    applicationId: emulator.applicationId,
    clientSecret: emulator.clientSecret,
    caCertificatePath: emulator.caCertificatePath,
    connectEndpoints: emulator.connectEndpoints,
    customerCount: emulator.customerCount,
  },
});
