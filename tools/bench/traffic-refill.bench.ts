/**
 * The traffic directory's refill alone (RegistryFactsConsumer.load, as a restart runs it) over an embedded store whose
 * known-partner documents lie scattered among other collections' rows, as in a seeded data dir (~10 KB of other rows
 * per partner at 1,100,000 partners). Seeds the store once (the dir is kept for the next runs), then refills a new
 * directory `ROUNDS` times, printing wall ms and the process's CPU ms per round and per partner.
 * usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/traffic-refill.bench.ts <dir> [partners=200000] [filler bytes per partner=4000]
 */
/* eslint-disable @nx/enforce-module-boundaries -- a benchmark of one consumer over one adapter, outside the app's layers (as seed/fill-registry-facts.ts) */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InProcessEventBus } from '@as2-partners/kernel';
import { InMemoryParkedEventStore } from '@as2-partners/kernel-testing';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import type { TrafficControlConfig } from '../../libs/traffic-control/service/src/config/traffic-control.config';
import { LiveTrafficDirectory } from '../../libs/traffic-control/service/src/directory/live-traffic-directory';
import { KnownRegistryCollections, KnownRegistryIndexes, type KnownPartnerDocument } from '../../libs/traffic-control/service/src/reactions/partner-registry-events/known-registry.documents';
import { RegistryFactsConsumer } from '../../libs/traffic-control/service/src/reactions/partner-registry-events/registry-facts.consumer';

const [dir, partnersArg, fillerArg] = process.argv.slice(2);
if (!dir) throw new Error('usage: traffic-refill.bench.ts <dir> [partners] [filler bytes per partner]');
const PARTNERS = Number(partnersArg ?? 200_000);
const FILLER = Number(fillerArg ?? 4_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PER_TENANT = 1_000;

/** A ULID-like id: time-ordered prefix, random tail (ids sort roughly in creation order, as the registry's do). */
const idOf = (i: number): string => `prt_${i.toString(36).padStart(10, '0').toUpperCase()}${randomBytes(8).toString('hex').toUpperCase()}`;

async function seed(store: EmbeddedReadModelStore): Promise<void> {
  const partners = store.collection<KnownPartnerDocument>(KnownRegistryCollections.partners, KnownRegistryIndexes.partners);
  const filler = store.collection<{ _id: string; text: string }>('refill_bench_filler', [['text']]);
  const text = 'x'.repeat(FILLER);
  const load = async () => {
    for (let i = 0; i < PARTNERS; i += 1) {
      const tenant = i < PARTNERS / 2 ? 'hub' : `t${Math.floor(i / PER_TENANT)}`;
      const id = idOf(i);
      await partners.put({ _id: id, partnerId: id, account: 'acc_bench', tenant, as2Id: tenant === 'hub' ? `HUB-${String(i).padStart(7, '0')}` : `T${tenant}-${String(i % PER_TENANT).padStart(5, '0')}`, name: `Supplier ${i}`, active: i % 100 !== 7, deleted: i % 1000 === 999, stationId: null });
      if (FILLER > 0) await filler.put({ _id: id, text });
      if (i % 50_000 === 0) console.log(`seeded ${i}`);
    }
  };
  await (store.bulkLoad ? store.bulkLoad(load) : load());
}

async function main(): Promise<void> {
  const file = join(dir as string, 'read-models.sqlite');
  const fresh = !existsSync(file);
  const store = await EmbeddedReadModelStore.open(file);
  if (fresh) await seed(store);
  const config = { unknownPartnerWaitMs: 0, replicaGroupSuffix: '' } as unknown as TrafficControlConfig;
  for (let round = 1; round <= ROUNDS; round += 1) {
    const live = new LiveTrafficDirectory();
    const consumer = new RegistryFactsConsumer({ bus: new InProcessEventBus(), readModels: store, parked: new InMemoryParkedEventStore() }, live, config);
    const started = performance.now();
    const cpu = process.cpuUsage();
    await consumer.load();
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const count = live.directory.partnerCount;
    console.log(`round ${round}: ${count} partners, ${Math.round(performance.now() - started)} ms wall, ${Math.round(cpuMs)} ms CPU (user ${Math.round(used.user / 1000)}, system ${Math.round(used.system / 1000)}), ${((cpuMs * 1000) / count).toFixed(2)} µs CPU a partner`);
  }
  await store.close();
}

void main();
