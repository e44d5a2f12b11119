import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FOLD_CHUNK, foldEvents, timeOrderedUuid, WriteModel, type EventMetadata, type NewEvent } from '@as2-partners/kernel';
import { SNAPSHOT_PART_SIZE, SqliteEventStore } from '@as2-partners/event-store-sqlite';
import {
  duplicatePartnership,
  partnerDirectoryDecider,
  PartnerRegistryStreams,
  uniqueKeyDirectoryDecider,
  type PartnerDirectoryEvent,
  type PartnerDirectoryState,
  type UniqueKeyDirectoryEvent,
} from '@as2-partners/partner-registry-domain';

const metadata: EventMetadata = { account: 'acc', tenant: 'hub', correlationId: 'c', causationId: null, actor: { type: 'user', id: 'u' }, occurredAt: '2026-01-01T00:00:00.000Z' };
const directory = PartnerRegistryStreams.tenantDirectory('acc', 'hub');

const reserved = (i: number): PartnerDirectoryEvent => ({
  type: 'partner_directory.as2_id_reserved.v1',
  data: { as2Id: `HUB-${i}`, partnerId: `prt_${i}`, reservedAt: '2026-01-01T00:00:00.000Z' },
});
const released = (i: number): PartnerDirectoryEvent => ({
  type: 'partner_directory.as2_id_released.v1',
  data: { as2Id: `HUB-${i}`, partnerId: `prt_${i}`, reason: 'deleted', releasedAt: '2026-01-02T00:00:00.000Z' },
});
const toNew = (event: PartnerDirectoryEvent | UniqueKeyDirectoryEvent): NewEvent => ({ id: timeOrderedUuid(), type: event.type, schemaVersion: 1, data: event.data, metadata });

/** The work done between two turns of the event loop, counted (not timed): what bounds the longest block. */
interface Turn {
  parsedEntries: number;
  mapSets: number;
  eventsRead: number;
}

const comparable = (state: PartnerDirectoryState) => ({
  reservations: [...state.reservations.entries()].sort(([a], [b]) => a.localeCompare(b)),
  as2IdOfPartner: [...state.as2IdOfPartner.entries()].sort(([a], [b]) => a.localeCompare(b)),
});

describe('directories restored from their snapshots in the SQLite event store', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'directory-restore-'));
    store = await SqliteEventStore.open(join(dir, 'events.sqlite'));
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A directory of `size` reservations (every tenth of the first 1,000 released again), snapshotted, then `after` more events. */
  async function seed(size: number, after: number): Promise<PartnerDirectoryEvent[]> {
    const events: PartnerDirectoryEvent[] = [];
    for (let i = 0; i < size; i++) events.push(reserved(i));
    for (let i = 0; i < 1_000; i += 10) events.push(released(i));
    for (let from = 0; from < events.length; from += 5_000) await store.append(directory, events.slice(from, from + 5_000).map(toNew), from === 0 ? 'no_stream' : from - 1);
    const codec = partnerDirectoryDecider.snapshot;
    if (!codec?.toJsonInSlices) throw new Error('the partner directory must serialise its snapshot in slices');
    const json = await codec.toJsonInSlices(foldEvents(partnerDirectoryDecider, events), async () => undefined);
    await store.snapshots.save(directory, codec.name, { revision: events.length - 1, state: json });
    const later: PartnerDirectoryEvent[] = [];
    for (let i = size; i < size + after; i++) later.push(reserved(i));
    later.push(released(size));
    await store.append(directory, later.map(toNew), events.length - 1);
    return [...events, ...later];
  }

  /** Loads the directory in a new write model (a restart), counting the work between each two of its turns. */
  async function restoreCounting(): Promise<{ state: PartnerDirectoryState; turns: Turn[] }> {
    const turns: Turn[] = [{ parsedEntries: 0, mapSets: 0, eventsRead: 0 }];
    const current = () => turns[turns.length - 1] as Turn;
    const parse = JSON.parse;
    jest.spyOn(JSON, 'parse').mockImplementation((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
      const value: unknown = parse(text, reviver);
      if (Array.isArray(value)) current().parsedEntries += value.length;
      return value;
    });
    const set = Map.prototype.set;
    jest.spyOn(Map.prototype, 'set').mockImplementation(function (this: Map<unknown, unknown>, key: unknown, value: unknown) {
      current().mapSets += 1;
      return set.call(this, key, value);
    });
    const readStream = store.readStream.bind(store);
    jest.spyOn(store, 'readStream').mockImplementation(async (stream, options) => {
      const read = await readStream(stream, options);
      current().eventsRead += read.length;
      return read;
    });
    const nextTurn = async () => {
      turns.push({ parsedEntries: 0, mapSets: 0, eventsRead: 0 });
      await new Promise((resolve) => setImmediate(resolve));
    };
    const { state } = await new WriteModel(store, { nextTurn }).load(directory, partnerDirectoryDecider);
    jest.restoreAllMocks();
    return { state, turns };
  }

  it('equals the full fold of its events', async () => {
    const events = await seed(7_500, 1_234);
    const { state } = await restoreCounting();
    expect(comparable(state)).toEqual(comparable(foldEvents(partnerDirectoryDecider, events)));
    // 100 of the first 1,000 released before the snapshot, and one reserved before it released after it.
    expect(state.reservations.size).toBe(7_500 + 1_234 - 101);
  });

  it('does a bounded amount of work per turn of the event loop, whatever the directory size, and builds only what the events after the snapshot touch', async () => {
    // A bucket holds ~8 entries (64 at most before a save rebuckets); an event after the snapshot decodes at most one bucket of each map.
    const bounds = { parsedEntries: SNAPSHOT_PART_SIZE, mapSets: 2 * FOLD_CHUNK * (1 + 64), eventsRead: FOLD_CHUNK };
    const busiest = (turns: Turn[]) => ({
      parsedEntries: Math.max(...turns.map((t) => t.parsedEntries)),
      mapSets: Math.max(...turns.map((t) => t.mapSets)),
      eventsRead: Math.max(...turns.map((t) => t.eventsRead)),
    });
    const total = (turns: Turn[]) => turns.reduce((sum, t) => sum + t.mapSets, 0);

    await seed(3_000, 1_200);
    const small = await restoreCounting();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), 'directory-restore-'));
    store = await SqliteEventStore.open(join(dir, 'events.sqlite'));
    await seed(30_000, 1_200);
    const large = await restoreCounting();

    for (const { turns } of [small, large]) {
      const most = busiest(turns);
      expect(most.parsedEntries).toBeLessThanOrEqual(bounds.parsedEntries);
      expect(most.mapSets).toBeLessThanOrEqual(bounds.mapSets);
      expect(most.eventsRead).toBeLessThanOrEqual(bounds.eventsRead);
    }
    expect(large.state.reservations.size).toBe(30_000 + 1_200 - 101);

    // No entry is built until used: a 30,000-entry restore followed by 101 events builds a small fraction of it.
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), 'directory-restore-'));
    store = await SqliteEventStore.open(join(dir, 'events.sqlite'));
    await seed(30_000, 100);
    const recent = await restoreCounting();
    expect(total(recent.turns)).toBeLessThan(recent.state.reservations.size / 5);
    expect(recent.state.reservations.has('HUB-29999')).toBe(true);
  });

  it('still restores a snapshot saved in the first form (one entry per reservation), equal to the full fold, and saves the new form', async () => {
    const events: PartnerDirectoryEvent[] = [];
    for (let i = 0; i < 4_000; i++) events.push(reserved(i));
    for (let i = 0; i < 1_000; i += 10) events.push(released(i));
    await store.append(directory, events.map(toNew), 'no_stream');
    const previous = partnerDirectoryDecider.snapshot?.previous;
    if (!previous) throw new Error('the partner directory must still read its first snapshot form');
    await store.snapshots.save(directory, previous.name, { revision: 3_049, state: previous.toJson(foldEvents(partnerDirectoryDecider, events.slice(0, 3_050))) });
    const { state } = await restoreCounting();
    expect(comparable(state)).toEqual(comparable(foldEvents(partnerDirectoryDecider, events)));
    // Restored from the old form: saved at once in the new one (the save runs a slice per turn).
    for (let i = 0; i < 200 && !(await store.snapshots.load(directory, partnerDirectoryDecider.snapshot?.name ?? '')); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await store.snapshots.load(directory, partnerDirectoryDecider.snapshot?.name ?? ''))?.revision).toBe(events.length - 1);
  });

  it("an account's partnership directory is snapshotted as it is folded, and a restart reads only the events after the snapshot", async () => {
    const partnerships = PartnerRegistryStreams.partnershipDirectory('acc');
    const decider = uniqueKeyDirectoryDecider((key) => duplicatePartnership(key, key));
    const pair = (i: number): UniqueKeyDirectoryEvent => ({
      type: 'unique_key_directory.key_reserved.v1',
      data: { key: `ins_${i % 7}:prt_${i}`, holderId: `ptn_${i}`, reservedAt: '2026-01-01T00:00:00.000Z' },
    });
    const events = Array.from({ length: 12_000 }, (_, i) => pair(i));
    for (let from = 0; from < events.length; from += 5_000) await store.append(partnerships, events.slice(from, from + 5_000).map(toNew), from === 0 ? 'no_stream' : from - 1);
    const first = new WriteModel(store);
    await first.load(partnerships, decider);
    await first.snapshotsSaved();
    expect((await store.snapshots.load(partnerships, decider.snapshot?.name ?? 'none'))?.revision).toBe(events.length - 1);

    const later = [pair(12_000), pair(12_001)];
    await store.append(partnerships, later.map(toNew), events.length - 1);
    const readStream = store.readStream.bind(store);
    const reads: number[] = [];
    jest.spyOn(store, 'readStream').mockImplementation(async (stream, options) => {
      const read = await readStream(stream, options);
      reads.push(read.length);
      return read;
    });
    const { state } = await new WriteModel(store).load(partnerships, decider);
    expect(reads.reduce((sum, n) => sum + n, 0)).toBe(2);
    const full = foldEvents(decider, [...events, ...later]);
    expect([...state.reservations.entries()].sort(([a], [b]) => a.localeCompare(b))).toEqual([...full.reservations.entries()].sort(([a], [b]) => a.localeCompare(b)));
    expect([...state.keysOfHolder.entries()].sort(([a], [b]) => a.localeCompare(b))).toEqual([...full.keysOfHolder.entries()].sort(([a], [b]) => a.localeCompare(b)));
  });
});
