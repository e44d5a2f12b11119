#!/usr/bin/env node
// CPU per `partner.created.v1` of the three bus consumers of partner events (traffic-control's registry facts,
// certificate-lifecycle's known partners, connection-tester's tested partners) of a built all-in-one app, alone in a
// process: the in-process bus hands them batches of BATCH events (as the outbox relay does), one batch per turn of the
// event loop (so the read store commits per batch), over a copy of a seeded data directory's read store.
// usage: node tools/bench/bus-consumers-cpu.bench.mjs <seeded data dir> <dir holding dist/apps/all-in-one> [batch=3] [events=3000]
// Seed a data directory as create-cpu.bench.mjs says, and start the app on it once so the consumers caught up.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const [seeded, root, batchSize = '3', count = '3000'] = process.argv.slice(2);
if (!seeded || !root) throw new Error('usage: bus-consumers-cpu.bench.mjs <seeded data dir> <app root> [batch] [events]');
const dist = `${root}/dist/apps/all-in-one/libs`;
const { InProcessEventBus } = require(`${dist}/kernel/src/index.js`);
const { EmbeddedReadModelStore } = require(`${dist}/read-model-embedded/src/index.js`);
const { LiveTrafficDirectory } = require(`${dist}/traffic-control/service/src/directory/live-traffic-directory.js`);
const { RegistryFactsConsumer } = require(`${dist}/traffic-control/service/src/reactions/partner-registry-events/registry-facts.consumer.js`);
const { KnownPartnersConsumer } = require(`${dist}/certificate-lifecycle/service/src/reactions/partner-registry-events/known-partners.consumer.js`);
const { TestedPartnersConsumer } = require(`${dist}/connection-tester/service/src/reactions/partner-registry-events/tested-partners.consumer.js`);
const dir = mkdtempSync(join(tmpdir(), 'as2-bus-consumers-'));
cpSync(join(seeded, 'read-models.sqlite'), join(dir, 'read-models.sqlite'));
const readModels = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
const bus = new InProcessEventBus();
const parked = readModels.parkedEventStore();
const followed = { bus, readModels, parked };
const consumers = [
  new RegistryFactsConsumer(followed, new LiveTrafficDirectory(), { replicaGroupSuffix: '' }),
  // no certificate links or removals: the creates name no certificate
  new KnownPartnersConsumer(followed, {}, {}),
  new TestedPartnersConsumer(followed),
];
for (const c of consumers) await c.start();
const topic = 'as2.partner-registry.events';
let position = 50_000_000;
const created = () => {
  const partnerId = `prt_${Date.now().toString(36)}${randomUUID().slice(0, 8)}`;
  const as2Id = `CC-${partnerId}`;
  position += 2;
  return {
    id: randomUUID(), type: 'partner.created.v1', schemaVersion: 1, stream: `partner-${partnerId}`, revision: 0, position,
    data: { partnerId, account: 'bench-account', tenant: 'hub', as2Id, settings: { name: `Cpu Supplier ${as2Id}`, url: `https://as2.${as2Id}.example.com/receive`, active: true, sign: true, encrypt: true, signAlgorithm: 'sha256', encryptAlgorithm: 'aes256-cbc', mdnMode: 'async' } },
    metadata: { account: 'bench-account', tenant: 'hub', correlationId: randomUUID(), causationId: null, actor: { type: 'user', id: 'bench-user' }, occurredAt: new Date().toISOString() },
  };
};
const n = Number(count), k = Number(batchSize);
const turn = () => new Promise((r) => setImmediate(r));
for (let i = 0; i < 300; i += k) { await bus.publish(topic, Array.from({ length: k }, created)); await turn(); }
const t = process.cpuUsage();
for (let i = 0; i < n; i += k) { await bus.publish(topic, Array.from({ length: k }, created)); await turn(); }
const u = process.cpuUsage(t);
console.log(`${root} batch ${k}: CPU µs per event ${((u.user + u.system) / n).toFixed(0)} (user ${(u.user / n).toFixed(0)}, sys ${(u.system / n).toFixed(0)})`);
for (const c of consumers) await c.stop();
await bus.close(); await readModels.close();
rmSync(dir, { recursive: true, force: true });
