/**
 * One first load of a partner directory in a fresh process, as the first create after a restart does: a new write
 * model loads the stream (from its snapshot when the file has one), with the event loop's longest block meanwhile
 * (perf_hooks monitorEventLoopDelay). Prints one JSON line. Run by bench:scale; by hand:
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/directory-load.ts <events.sqlite> <account> <tenant>
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WriteModel } from '@as2-partners/kernel';
import { SqliteEventStore } from '@as2-partners/event-store-sqlite';
import { partnerDirectoryDecider, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';

async function main(): Promise<void> {
  const [file, account, tenant] = process.argv.slice(2) as [string, string, string];
  const store = await SqliteEventStore.open(file);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  try {
    delay.enable();
    const started = performance.now();
    const { state } = await new WriteModel(store).load(PartnerRegistryStreams.tenantDirectory(account, tenant), partnerDirectoryDecider);
    const ms = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
    delay.disable();
    process.stdout.write(`${JSON.stringify({ ms, maxBlockMs: delay.max / 1e6, reservations: state.reservations.size })}\n`);
  } finally {
    await store.close();
  }
}

void main();
