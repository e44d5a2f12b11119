/**
 * One first load of a partner directory in a fresh process, as the first create after a restart does: a new write
 * model loads the stream (from its snapshot when the file has one), with the event loop's longest block meanwhile
 * (perf_hooks monitorEventLoopDelay: wall time, so a loaded machine's scheduling counts) and the longest CPU time
 * between two turns of the event loop (process.cpuUsage read by a setImmediate ticker: what the load itself blocks,
 * less skewed by the machine's load), both until the snapshot the load may save is written. Prints one JSON line.
 * Run by bench:scale; by hand:
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/directory-load.ts <events.sqlite> <account> <tenant>
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WriteModel } from '@as2-partners/kernel';
import { SqliteEventStore } from '@as2-partners/event-store-sqlite';
import { partnerDirectoryDecider, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';

/** Time after the load for a snapshot save it started (serialised a slice per turn) to be written and measured. */
const SAVE_WINDOW_MS = 3_000;

async function main(): Promise<void> {
  const [file, account, tenant] = process.argv.slice(2) as [string, string, string];
  const store = await SqliteEventStore.open(file);
  const stream = PartnerRegistryStreams.tenantDirectory(account, tenant);
  const hadSnapshot = (await store.snapshots.longest(partnerDirectoryDecider.snapshot?.name ?? '', 1)).length > 0;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  let ticking = true;
  let turns = 0;
  let maxTurnCpuMs = 0;
  let last = process.cpuUsage();
  const tick = (): void => {
    const now = process.cpuUsage();
    maxTurnCpuMs = Math.max(maxTurnCpuMs, (now.user - last.user + now.system - last.system) / 1000);
    last = now;
    turns += 1;
    if (ticking) setImmediate(tick);
  };
  try {
    delay.enable();
    setImmediate(tick);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const { state } = await new WriteModel(store).load(stream, partnerDirectoryDecider);
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    await new Promise((resolve) => setTimeout(resolve, hadSnapshot ? 20 : SAVE_WINDOW_MS));
    ticking = false;
    delay.disable();
    const line = { ms, cpuMs: (cpu.user + cpu.system) / 1000, maxBlockMs: delay.max / 1e6, maxTurnCpuMs, turns, reservations: state.reservations.size };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } finally {
    await store.close();
  }
}

void main();
