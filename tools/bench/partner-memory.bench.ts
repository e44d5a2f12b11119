/**
 * Bytes per partner of each in-memory structure of the all-in-one that grows with partners, each filled alone with N
 * synthetic entries shaped like the bench:scale population (heap after `gc()`), and the total projected at 1,000,000.
 * Run: SWC_NODE_PROJECT=tsconfig.base.json node --expose-gc -r @swc-node/register tools/bench/partner-memory.bench.ts [partners] [structure,…]
 * Structures: traffic (traffic-control's decision directory, from parsed documents as its start loads them),
 * directory (the write side's partner directories: reservations restored from a snapshot as a load does; the write model's
 * cache keeps 250,000 entries of them at most),
 * folded (the write model's folded partner streams, FoldedStateCache), heads (the event store's stream heads).
 * Bounded structures (caches with a budget) are listed with their bound at the end.
 */
import { DEFAULT_MAX_CACHED_STREAMS, DEFAULT_MAX_CACHED_WEIGHT, FoldedStateCache } from '@as2-partners/kernel';
import { partnerDeciderFor, partnerDirectoryDecider, type PartnerCommand } from '@as2-partners/partner-registry-domain';
import { TrafficDirectory } from '@as2-partners/traffic-control-domain';
import { DEFAULT_STREAM_HEADS, StreamHeads } from '../../libs/event-store-sqlite/src/stream-heads';
import { partnerChangesFromDto } from '../../libs/partner-registry/service/src/partner-settings/partner-changes.mapper';
import { newPartnerId } from '../../libs/partner-registry/service/src/write-model/partner-id';
import { partnerDto, populationPartner } from './seed/seed-population';
import { settledHeapBytes } from './settled-heap';

const PARTNERS = Number(process.argv[2] ?? 100_000);
const ONLY = process.argv[3]?.split(',');
const MILLION = 1_000_000;
/** The bench:scale population: tenants of 1,000 partners each. */
const PER_TENANT = 1_000;
const account = 'bench-account';

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

interface Row {
  readonly name: string;
  readonly entries: number;
  readonly bytes: number;
  /** Entries at 1,000,000 partners (a bounded structure stops at its bound); 0: not in the total (another row stands for it). */
  readonly atMillion: number;
}
const rows: Row[] = [];

/** Runs `fill`, keeps what it returns alive until measured, and records the heap it added. */
async function measure(name: string, entries: number, atMillion: number, fill: () => unknown): Promise<void> {
  if (ONLY && !ONLY.some((o) => name.startsWith(o))) return;
  const before = settledHeapBytes();
  const kept = await fill();
  const bytes = settledHeapBytes() - before;
  rows.push({ name, entries, bytes, atMillion });
  const projected = atMillion === 0 ? '' : `  → ${mib((bytes / entries) * atMillion).padStart(7)} MiB at 1M`;
  console.log(`${name.padEnd(48)} ${String(entries).padStart(9)} entries  ${mib(bytes).padStart(7)} MiB  ${String(Math.round(bytes / entries)).padStart(5)} B each${projected}`);
  if (kept === Symbol.for('never')) console.log(kept);
}

async function main(): Promise<void> {
  // Partner ids made once (shared by the structures below, as one process's strings would not be: each structure
  // gets its own copy through JSON, as it does from its own source).
  const ids = Array.from({ length: PARTNERS }, () => newPartnerId());
  const seedOf = (p: number) => populationPartner(Math.floor(p / PER_TENANT), p % PER_TENANT);

  await measure('traffic directory (parsed documents)', PARTNERS, MILLION, () => {
    const directory = new TrafficDirectory();
    for (let p = 0; p < PARTNERS; p += 1) {
      const seed = seedOf(p);
      const doc = { _id: ids[p], partnerId: ids[p], account, tenant: `t${Math.floor(p / PER_TENANT)}`, as2Id: seed.as2Id, name: seed.name, active: seed.active, deleted: false, stationId: null };
      directory.putPartner(JSON.parse(JSON.stringify(doc)));
    }
    return directory;
  });

  // A tenant's directory as a load restores it from its snapshot (the JSON text parsed, then the codec's restore).
  const directoryOf = (count: number) => {
    const at = new Date().toISOString();
    const entries = JSON.stringify(Array.from({ length: count }, (_, p) => [seedOf(p).as2Id, ids[p], at]));
    const codec = partnerDirectoryDecider.snapshot;
    if (!codec) throw new Error('the partner directory has no snapshot codec');
    return codec.fromJson(JSON.parse(entries));
  };
  await measure('partner directory, one tenant (reservations)', PARTNERS, 0, () => directoryOf(PARTNERS));
  const tenants = Math.max(1, Math.floor(PARTNERS / PER_TENANT));
  await measure(`partner directories, ${tenants} × ${PER_TENANT} (cache weight bound ${DEFAULT_MAX_CACHED_WEIGHT})`, tenants * PER_TENANT, Math.min(MILLION, DEFAULT_MAX_CACHED_WEIGHT), () => Array.from({ length: tenants }, () => directoryOf(PER_TENANT)));

  const partnerDecider = partnerDeciderFor('tenant');
  const folded = Math.min(PARTNERS, DEFAULT_MAX_CACHED_STREAMS);
  await measure(`folded partner streams (cache bound ${DEFAULT_MAX_CACHED_STREAMS})`, folded, DEFAULT_MAX_CACHED_STREAMS, () => {
    const cache = new FoldedStateCache();
    const now = new Date().toISOString();
    return (async () => {
      for (let p = 0; p < folded; p += 1) {
        const dto = partnerDto(seedOf(p));
        const changes = await partnerChangesFromDto(dto, () => Promise.reject(new Error('no passwords')), []);
        const command: PartnerCommand = { type: 'create_partner', partnerId: ids[p] as string, account, tenant: 't0', as2Id: dto.as2_id, settings: { ...changes, name: dto.name, url: dto.url }, certificateId: null, now };
        const events = JSON.parse(JSON.stringify(partnerDecider.decide(command, partnerDecider.initialState())));
        cache.set(`partner-${ids[p]}`, { decider: partnerDecider, state: events.reduce(partnerDecider.evolve, partnerDecider.initialState()), revision: events.length - 1 });
      }
      return cache;
    })();
  });

  const heads = Math.min(PARTNERS, DEFAULT_STREAM_HEADS);
  await measure(`event store stream heads (bound ${DEFAULT_STREAM_HEADS})`, heads, DEFAULT_STREAM_HEADS, () => {
    const streamHeads = new StreamHeads();
    for (let p = 0; p < heads; p += 1) streamHeads.set(JSON.parse(JSON.stringify(`partner-${ids[p]}`)), 0);
    return streamHeads;
  });

  const total = rows.reduce((sum, r) => sum + (r.bytes / r.entries) * r.atMillion, 0);
  console.log(`projected at 1,000,000 partners: ${mib(total)} MiB (the caches full: the worst case)`);
}

void main();
