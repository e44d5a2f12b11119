/**
 * Writes traffic-control's registry-facts partner documents for every `partner.created.v1` of a seeded data dir, as
 * RegistryFactsConsumer writes them when the bus delivers those events: what its start loads into the in-memory
 * decision directory. A shortcut for memory measurements where the relays' catch-up (hours at 1,000,000 partners on a
 * loaded 2-core machine) cannot be waited for; the consumer's own position is left as it was, so the app still
 * delivers the events afterwards (each put again, the same document).
 * Run (no server on the dir): SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/seed/fill-registry-facts.ts <data dir>
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { RecordedEvent } from '@as2-partners/kernel';
import { readPartnerEvent } from '@as2-partners/partner-registry-contract';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { knownPartnerCreated, KnownRegistryCollections, KnownRegistryIndexes, type KnownPartnerDocument } from '../../../libs/traffic-control/service/src/reactions/partner-registry-events/known-registry.documents';

const PAGE = 20_000;

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: fill-registry-facts.ts <data dir>');
  const events = new Database(join(dataDir, 'events.sqlite'), { readonly: true });
  const store = await EmbeddedReadModelStore.open(join(dataDir, 'read-models.sqlite'));
  const partners = store.collection<KnownPartnerDocument>(KnownRegistryCollections.partners, KnownRegistryIndexes.partners);
  const page = events.prepare("SELECT position, type, data, metadata FROM events WHERE position > ? AND type = 'partner.created.v1' ORDER BY position LIMIT ?");
  const started = performance.now();
  let after = 0;
  let written = 0;
  const load = async () => {
    for (;;) {
      const rows = page.all(after, PAGE) as { position: number; type: string; data: string; metadata: string }[];
      for (const row of rows) {
        const event = { type: row.type, data: JSON.parse(row.data), metadata: JSON.parse(row.metadata), position: row.position } as unknown as RecordedEvent;
        await partners.put(knownPartnerCreated(readPartnerEvent(event)));
        written += 1;
      }
      if (rows.length < PAGE) return;
      after = (rows[rows.length - 1] as { position: number }).position;
      console.log(`${written} documents, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  };
  await (store.bulkLoad ? store.bulkLoad(load) : load());
  await store.close();
  events.close();
  console.log(`wrote ${written} partner documents of ${KnownRegistryCollections.partners} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

void main();
