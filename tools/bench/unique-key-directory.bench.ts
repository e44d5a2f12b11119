/**
 * The unique-key directories (our AS2 ids per tenant, partnerships per account) as a load after a restart folds them
 * and as the next create decides on them: N reservations folded, then one create decided and applied. Beside it, in
 * the same round, the anchor: the same N entries put in one plain Map. Prints ms and the ratio to the anchor at each
 * size, so a cost per event that grows with the directory (a copy of its maps per event) shows as a growing ratio.
 * And what a restart with a snapshot costs instead of the fold: the snapshot's stored text parsed and restored, then
 * the same create decided and applied ("restored ms"). Last, a partner's pairs (what its deletion ends) found through
 * the directory's index of pairs by partner, beside a scan of every pair (what it did before). And a station of N
 * members (a hub's, every partner joined to it by an event on its stream): its fold beside its snapshot's restore.
 * usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/unique-key-directory.bench.ts [sizes=1000,10000,100000]
 */
/* eslint-disable @nx/enforce-module-boundaries -- a benchmark of one domain decider, outside the app's layers */
import { keysWithTerm, uniqueKeyDirectoryDecider, type UniqueKeyDirectoryState } from '../../libs/partner-registry/domain/src/unique-key-directory/unique-key-directory.decider';
import type { UniqueKeyDirectoryEvent } from '../../libs/partner-registry/domain/src/unique-key-directory/unique-key-directory.events';
import { stationDecider } from '../../libs/partner-registry/domain/src/station/station.decider';
import type { StationEvent } from '../../libs/partner-registry/domain/src/station/station.events';
import { duplicatePartnership } from '../../libs/partner-registry/domain/src/partner-registry.errors';

const SIZES = (process.argv[2] ?? '1000,10000,100000').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const partnerOf = (key: string) => key.slice(key.lastIndexOf('|') + 1);
const decider = uniqueKeyDirectoryDecider(
  () => duplicatePartnership('ins', 'prt'),
  (key) => [partnerOf(key)],
);
const T = '2026-12-02T10:00:00.000Z';

function directoryMs(events: readonly UniqueKeyDirectoryEvent[]): number {
  const started = process.hrtime.bigint();
  let state: UniqueKeyDirectoryState = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  const created = decider.decide({ type: 'reserve_key', key: 'ten_0|ins_0|prt_new', holderId: 'ptn_new', staleHolders: [], now: T }, state);
  state = created.reduce(decider.evolve, state);
  if (state.reservations.size !== events.length + 1) throw new Error('the create did not reserve');
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** The snapshot as the store keeps it (JSON text), parsed and restored, then one create: a restart's first create. */
async function restoredMs(snapshotText: string): Promise<number> {
  const codec = decider.snapshot;
  if (!codec?.restore) throw new Error('the directory has no snapshot codec');
  const started = process.hrtime.bigint();
  let state = await codec.restore(JSON.parse(snapshotText), async () => undefined);
  const created = decider.decide({ type: 'reserve_key', key: 'ten_0|ins_0|prt_new', holderId: 'ptn_new', staleHolders: [], now: T }, state);
  state = created.reduce(decider.evolve, state);
  if (!state.reservations.has('ten_0|ins_0|prt_new') || !state.reservations.has('ten_0|ins_0|prt_0')) throw new Error('the create did not reserve');
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function anchorMs(events: readonly UniqueKeyDirectoryEvent[]): number {
  const started = process.hrtime.bigint();
  const map = new Map<string, { key: string; holderId: string; reservedAt: string }>();
  for (const event of events) if (event.type === 'unique_key_directory.key_reserved.v1') map.set(event.data.key, { key: event.data.key, holderId: event.data.holderId, reservedAt: event.data.reservedAt });
  map.set('ten_0|ins_0|prt_new', { key: 'ten_0|ins_0|prt_new', holderId: 'ptn_new', reservedAt: T });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function main(): Promise<void> {
  console.log('size      directory ms   anchor ms   ratio (min / median / max)   directory µs per event   restored ms');
  for (const size of SIZES) {
    const events: UniqueKeyDirectoryEvent[] = Array.from({ length: size }, (_, i) => ({
      type: 'unique_key_directory.key_reserved.v1',
      data: { key: `ten_${i % 1000}|ins_${i % 3}|prt_${i}`, holderId: `ptn_${i}`, reservedAt: T },
    }));
    const ratios: number[] = [];
    const directory: number[] = [];
    const anchor: number[] = [];
    const restored: number[] = [];
    const snapshotText = JSON.stringify(decider.snapshot?.toJson(events.reduce(decider.evolve, decider.initialState())));
    for (let round = 0; round < ROUNDS; round += 1) {
      const d = directoryMs(events);
      const a = anchorMs(events);
      directory.push(d);
      anchor.push(a);
      ratios.push(d / a);
      restored.push(await restoredMs(snapshotText));
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    console.log(
      `${String(size).padEnd(9)} ${median(directory).toFixed(1).padStart(12)} ${median(anchor).toFixed(1).padStart(11)}   ${sorted.map((r) => r.toFixed(1)).join(' / ').padEnd(26)} ${((median(directory) * 1000) / size).toFixed(2).padStart(10)} ${median(restored).toFixed(1).padStart(13)}`,
    );
  }
  console.log('\nsize      a partner\'s pairs: index µs   scan µs   (median of 20 partners)');
  for (const size of SIZES) {
    const state = Array.from({ length: size }, (_, i): UniqueKeyDirectoryEvent => ({
      type: 'unique_key_directory.key_reserved.v1',
      data: { key: `ten_${i % 1000}|ins_${i % 3}|prt_${i}`, holderId: `ptn_${i}`, reservedAt: T },
    })).reduce(decider.evolve, decider.initialState());
    const indexed: number[] = [];
    const scanned: number[] = [];
    for (let p = 0; p < 20; p += 1) {
      const partnerId = `prt_${Math.floor((p * size) / 20)}`;
      let started = process.hrtime.bigint();
      const found = keysWithTerm(state, partnerId);
      indexed.push(Number(process.hrtime.bigint() - started) / 1e3);
      started = process.hrtime.bigint();
      const all = [...state.reservations.values()].filter((r) => partnerOf(r.key) === partnerId);
      scanned.push(Number(process.hrtime.bigint() - started) / 1e3);
      if (found.length !== 1 || all.length !== 1) throw new Error(`${partnerId}: ${found.length} by the index, ${all.length} by the scan`);
    }
    console.log(`${String(size).padEnd(9)} ${median(indexed).toFixed(1).padStart(27)} ${median(scanned).toFixed(0).padStart(9)}`);
  }
  console.log('\nsize      a station\'s members: fold ms   restored ms   (median of ' + ROUNDS + ')');
  const scope = { stationId: 'stn_hub', account: 'acc', tenant: 'hub' };
  for (const size of SIZES) {
    const events: StationEvent[] = [
      { type: 'station.created.v1', data: { ...scope, name: 'Hub', notificationEmail: 'ops@hub.example.com', as2InstanceId: null, createdAt: T } },
      ...Array.from({ length: size }, (_, i): StationEvent => ({ type: 'station.partner_assigned.v1', data: { ...scope, partnerId: `prt_${i}`, assignedAt: T } })),
    ];
    const codec = stationDecider.snapshot;
    if (!codec?.restore) throw new Error('the station has no snapshot codec');
    const text = JSON.stringify(codec.toJson(events.reduce(stationDecider.evolve, stationDecider.initialState())));
    const join = { type: 'assign_partner' as const, stationId: 'stn_hub', partnerId: 'prt_new', now: T };
    const folded: number[] = [];
    const restored: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      let started = process.hrtime.bigint();
      if (stationDecider.decide(join, events.reduce(stationDecider.evolve, stationDecider.initialState())).length !== 1) throw new Error('not joined');
      folded.push(Number(process.hrtime.bigint() - started) / 1e6);
      started = process.hrtime.bigint();
      if (stationDecider.decide(join, await codec.restore(JSON.parse(text), async () => undefined)).length !== 1) throw new Error('not joined');
      restored.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    console.log(`${String(size).padEnd(9)} ${median(folded).toFixed(1).padStart(24)} ${median(restored).toFixed(1).padStart(13)}`);
  }
}

void main();
