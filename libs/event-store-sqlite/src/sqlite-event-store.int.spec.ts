import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { EventStoreUnavailableError, WriteModel, WrongExpectedRevisionError, type Decider, type RecordedEvent } from '@as2-partners/kernel';
import { contractEvent, uniqueStream } from '@as2-partners/kernel-testing';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';
import type { WalSyncFunction } from './wal-sync';
import { SNAPSHOT_PART_SIZE } from './sqlite-snapshot-store';
import { configureConnection } from './sqlite-schema';

const workspaceRoot = resolve(__dirname, '../../..');
const childScript = resolve(__dirname, '../test/append-child.ts');

/** Runs test/append-child.ts in its own Node process; resolves with its process once `onLine` returns true. */
function runChild(args: string[], onLine: (line: string) => boolean) {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', childScript, ...args], {
    cwd: workspaceRoot,
    env: { ...process.env, SWC_NODE_PROJECT: join(workspaceRoot, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const lines: string[] = [];
  const matched = new Promise<string>((done, fail) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += String(chunk);
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        lines.push(line);
        if (onLine(line)) done(line);
      }
    });
    child.on('exit', (code) => fail(new Error(`child exited (${code}) before the expected output: ${stderr}`)));
  });
  return { child, matched, exited };
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Calls `tick` once in every turn of the event loop (an immediate queued again each time) until stopped. */
function tickEachTurn(tick: () => void): () => void {
  let handle = setImmediate(function each() {
    tick();
    handle = setImmediate(each);
  });
  return () => clearImmediate(handle);
}

describe('SqliteEventStore on a real file', () => {
  let dir: string;
  let file: string;
  const opened: SqliteEventStore[] = [];
  const open = async (options?: SqliteEventStoreOptions) => {
    const store = await SqliteEventStore.open(file, options);
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-event-store-'));
    file = join(dir, 'events.db');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('configures WAL, synchronous=FULL and a busy timeout on every connection', () => {
    const db = new Database(join(dir, 'pragmas.db'));
    try {
      configureConnection(db);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(1000);
    } finally {
      db.close();
    }
  });

  it("syncs its own connection's WAL off the event loop: an append is answered, and followed, only once synced", async () => {
    const syncs: ((error: Error | null) => void)[] = [];
    const syncWal: WalSyncFunction = (_fd, done) => void syncs.push(done);
    const store = await open({ pollIntervalMs: 10, syncWal });
    const received: number[] = [];
    const subscription = store.subscribeToAll({ after: null, onEvent: async (e) => void received.push(e.position) });
    let answered = false;
    const appended = store.append('s-1', [contractEvent()], 'no_stream').then((result) => {
      answered = true;
      return result;
    });
    const startedAt = Date.now();
    while (syncs.length === 0 && Date.now() - startedAt < 20_000) await pause(5);
    // Committed (another connection sees the row) but not synced: not answered, not followed, not read.
    const other = new Database(file, { readonly: true });
    expect(other.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(1);
    other.close();
    await pause(50);
    expect(answered).toBe(false);
    expect(received).toEqual([]);
    expect(await store.readAll()).toEqual([]);
    syncs[0]?.(null);
    const { position } = await appended;
    while (received.length === 0 && Date.now() - startedAt < 20_000) await pause(5);
    expect(received).toEqual([position]);
    expect((await store.readAll()).map((e) => e.position)).toEqual([position]);
    await subscription.stop();
  });

  it('answers appendCommitted at commit: readable for the next decision, followed and durable only once synced', async () => {
    const syncs: ((error: Error | null) => void)[] = [];
    const store = await open({ pollIntervalMs: 10, syncWal: (_fd, done) => void syncs.push(done) });
    const received: number[] = [];
    const subscription = store.subscribeToAll({ after: null, onEvent: async (e) => void received.push(e.position) });
    const committed = await store.appendCommitted('s-1', [contractEvent()], 'no_stream');
    expect((await store.readStream('s-1')).map((e) => e.position)).toEqual([committed.position]);
    // A second append on what the first wrote goes in without waiting for the first sync.
    const next = await store.appendCommitted('s-1', [contractEvent()], committed.nextExpectedRevision);
    await pause(50);
    expect(received).toEqual([]);
    const startedAt = Date.now();
    while (syncs.length === 0 && Date.now() - startedAt < 20_000) await pause(5);
    for (let i = 0; i < 10 && syncs.length > 0; i++) {
      syncs.shift()?.(null);
      await pause(5);
    }
    await Promise.all([committed.durable, next.durable]);
    while (received.length < 2 && Date.now() - startedAt < 20_000) await pause(5);
    expect(received).toEqual([committed.position, next.position]);
    await subscription.stop();
  });

  it('is not ready while its writes fail, and ready again by itself once its probe write goes through', async () => {
    let disk: 'failing' | 'fine' = 'fine';
    const store = await open({ syncWal: (_fd, done) => setImmediate(() => done(disk === 'failing' ? Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }) : null)) });
    await store.ping();
    disk = 'failing';
    const refused = await store.append('s-1', [contractEvent()], 'no_stream').then(() => null, (error: unknown) => error);
    expect(refused).toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    // No request comes while it is not ready: the readiness check itself tries the write again.
    disk = 'fine';
    await expect(store.ping()).resolves.toBeUndefined();
    await expect(store.ping()).resolves.toBeUndefined();
    const events = await store.readAll();
    expect(events.map((e) => e.stream)).toEqual(['s-1']);
  });

  it('is not ready while the file has room for one page but not for a batch of appends (a nearly full disk), and ready once it has', async () => {
    const store = await open();
    await store.append('s-0', [contractEvent()], 'no_stream');
    // The store's own connection may not grow the file any more: what a full disk does to a write that needs new pages.
    const db = (store as unknown as { db: Database.Database }).db;
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages}`);
    const big = { ...contractEvent(), data: { blob: randomBytes(24 * 1024).toString('base64') } };
    const refused = await store.append('s-1', [big], 'no_stream').then(() => null, (error: unknown) => error);
    expect(refused).toBeInstanceOf(EventStoreUnavailableError);
    // A one-page rewrite would go through here and say ready; the next create would be refused again.
    await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    db.pragma(`max_page_count = ${pages + 1000}`);
    await expect(store.ping()).resolves.toBeUndefined();
    await store.append('s-1', [big], 'no_stream');
    expect((await store.readAll()).map((e) => e.stream)).toEqual(['s-0', 's-1']);
  });

  it('refuses every write once its data directory is removed while it runs (503, maybe stored), and is not ready', async () => {
    const store = await open();
    await store.append('kept-1', [contractEvent()], 'no_stream');
    rmSync(dir, { recursive: true, force: true });
    for (const stream of ['lost-1', 'lost-2']) {
      const refused = await store.append(stream, [contractEvent()], 'no_stream').then(() => null, (error: unknown) => error);
      expect(refused).toBeInstanceOf(EventStoreUnavailableError);
      expect((refused as EventStoreUnavailableError).maybeStored).toBe(true);
    }
    await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });

  it('has no last position while empty', async () => {
    const store = await open();
    expect(await store.lastPosition()).toBeNull();
    expect(await store.readAll()).toEqual([]);
  });

  it('counts the events after a position up to a cap, as readAll would return them, without reading them', async () => {
    const store = await open();
    await store.append('s-1', [contractEvent(), contractEvent(), contractEvent(), contractEvent(), contractEvent()], 'no_stream');
    const [, second] = await store.readAll();
    expect(await store.countAfter(null, 100)).toBe(5);
    expect(await store.countAfter(second.position, 100)).toBe((await store.readAll({ after: second.position })).length);
    expect(await store.countAfter(second.position, 100)).toBe(3);
    expect(await store.countAfter(null, 2)).toBe(2);
    expect(await store.countAfter((await store.lastPosition()) as number, 100)).toBe(0);
  });

  it('rejects an empty batch', async () => {
    const store = await open();
    await expect(store.append(uniqueStream(), [], 'any')).rejects.toThrow(RangeError);
  });

  it('refuses an event id already stored in another stream, writing nothing', async () => {
    const store = await open();
    const shared = contractEvent();
    await store.append('a-1', [shared], 'no_stream');
    await expect(store.append('b-1', [contractEvent(), shared], 'no_stream')).rejects.toThrow(/already stored/);
    expect(await store.readStream('b-1')).toEqual([]);
  });

  it('a corrupt file, once a corruption error makes it suspect, fails readiness naming the file; a sound one passes', async () => {
    const first = await open();
    for (let i = 0; i < 40; i++) await first.append(`s-${i}`, Array.from({ length: 50 }, () => contractEvent()), 'no_stream');
    await first.close();
    const sound = await open();
    expect(sound.suspectCorruption()).toBe(false);
    await expect(sound.ping()).resolves.toBeUndefined();
    await sound.close();
    // Random bytes over the middle third: pages SQLite wrote, now not what it wrote (a torn disk, a stray write).
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    writeSync(fd, randomBytes(Math.floor(size / 3)), 0, Math.floor(size / 3), Math.floor(size / 3));
    closeSync(fd);
    const corrupt = await open();
    expect(corrupt.suspectCorruption()).toBe(true);
    const refused = await corrupt.ping().then(() => null, (error: unknown) => String(error));
    expect(refused).toContain('the event store file is corrupt (');
    expect(refused).toContain(`restore ${file} from a backup`);
  });

  it('keeps events and checkpoints across close and reopen, and never reuses a position', async () => {
    const first = await open();
    const { position } = await first.append('s-1', [contractEvent(), contractEvent()], 'no_stream');
    await first.checkpointStore().save('projection', position);
    await first.close();

    const reopened = await open();
    expect(await reopened.readStream('s-1')).toHaveLength(2);
    expect(await reopened.checkpointStore().load('projection')).toBe(position);
    const next = await reopened.append('s-2', [contractEvent()], 'no_stream');
    expect(next.position).toBeGreaterThan(position);
  });

  it("the writer writes the WAL's header at open, after a clean stop removed the WAL, changing no data", async () => {
    const first = await open({ exclusiveWriter: true });
    await first.append('s-1', [contractEvent(), contractEvent()], 'no_stream');
    await first.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const fileBefore = readFileSync(file);

    const reopened = await open({ exclusiveWriter: true });
    // written (and synced) before any append: the first append after a restart does not write and sync it on the event loop
    expect(statSync(`${file}-wal`).size).toBeGreaterThanOrEqual(32);
    expect(await reopened.readStream('s-1')).toHaveLength(2);
    await reopened.close();
    // the commit rewrote page 1 with what it held: only SQLite's change counter (header bytes 24-27, copied to 92-95) moved
    const changeCounterMasked = (bytes: Buffer) => Buffer.concat([bytes.subarray(0, 24), bytes.subarray(28, 92), bytes.subarray(96)]);
    expect(changeCounterMasked(readFileSync(file)).equals(changeCounterMasked(fileBefore))).toBe(true);
  });

  it('delivers an append made through this store at once, without waiting for the poll', async () => {
    const store = await open({ pollIntervalMs: 60_000 });
    const received: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({ after: null, onEvent: async (e) => void received.push(e) });
    await pause(50);
    const startedAt = Date.now();
    await store.append('s-1', [contractEvent()], 'no_stream');
    // Waited for at most 20 s, well before the 60 s poll could deliver it; a loaded machine may still take seconds to fsync.
    while (received.length === 0 && Date.now() - startedAt < 20_000) await pause(5);
    expect(received).toHaveLength(1);
    await subscription.stop();
  });

  it('delivers appended events as a read of the file gives them (JSON text parsed, shared metadata kept apart from the caller)', async () => {
    const store = await open({ pollIntervalMs: 60_000 });
    const received: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({ after: null, onEvent: async (e) => void received.push(e) });
    const shared = contractEvent().metadata;
    const odd = { at: new Date('2026-11-30T12:00:00.000Z'), gone: undefined, list: [1, undefined], nested: { n: 1 } };
    const events = [contractEvent({ metadata: shared, data: odd }), contractEvent({ metadata: shared }), contractEvent()];
    await store.append('s-1', events, 'no_stream');
    // The caller changing its objects afterwards changes nothing stored or delivered.
    odd.nested.n = 2;
    (shared as { correlationId: string }).correlationId = 'changed';
    const startedAt = Date.now();
    while (received.length < 3 && Date.now() - startedAt < 20_000) await pause(5);
    const fromFile = await store.readAll();
    expect(received).toEqual(fromFile);
    expect(received[0]?.data).toEqual({ at: '2026-11-30T12:00:00.000Z', list: [1, null], nested: { n: 1 } });
    expect(received.map((e) => e.metadata.correlationId)).not.toContain('changed');
    await subscription.stop();
  });
  it('delivers an append made through another store on the same file in this process at once, without waiting for the poll', async () => {
    const writer = await open({ pollIntervalMs: 60_000 });
    const follower = await open({ pollIntervalMs: 60_000 });
    const received: RecordedEvent[] = [];
    const subscription = follower.subscribeToAll({ after: null, onEvent: async (e) => void received.push(e) });
    await pause(50);
    const startedAt = Date.now();
    await writer.append('s-1', [contractEvent()], 'no_stream');
    while (received.length === 0 && Date.now() - startedAt < 20_000) await pause(5);
    expect(received.map((e) => e.stream)).toEqual(['s-1']);
    await subscription.stop();
  });

  it('delivers an append made while the subscriber is still handling an earlier event without waiting for the poll', async () => {
    const store = await open({ pollIntervalMs: 60_000 });
    const received: string[] = [];
    let release: () => void = () => undefined;
    const handling = new Promise<void>((resolve) => (release = resolve));
    const subscription = store.subscribeToAll({
      after: null,
      onEvent: async (e) => {
        // The first event is still being handled (a slow read-model write) when the second is appended and told.
        if (received.push(e.stream) === 1) await handling;
      },
    });
    await store.append('s-1', [contractEvent()], 'no_stream');
    const startedAt = Date.now();
    while (received.length === 0 && Date.now() - startedAt < 20_000) await pause(5);
    await store.append('s-2', [contractEvent()], 'no_stream');
    release();
    while (received.length < 2 && Date.now() - startedAt < 20_000) await pause(5);
    expect(received).toEqual(['s-1', 's-2']);
    await subscription.stop();
  });

  it('with the writer lock, a caught-up subscription takes its own appends from memory, reading the file only once a poll interval', async () => {
    const store = await open({ pollIntervalMs: 60_000, exclusiveWriter: true });
    await store.append('s-0', [contractEvent()], 'no_stream');
    const fileReads = jest.spyOn(store as unknown as { readBatchAfter: (after: number | null, max: number) => RecordedEvent[] }, 'readBatchAfter');
    const received: string[] = [];
    const subscription = store.subscribeToAll({ after: null, onEvent: async (e) => void received.push(e.stream) });
    const startedAt = Date.now();
    while (received.length < 1 && Date.now() - startedAt < 20_000) await pause(5);
    const readsAtStart = fileReads.mock.calls.length;
    for (let i = 1; i <= 5; i++) await store.append(`s-${i}`, [contractEvent()], 'no_stream');
    while (received.length < 6 && Date.now() - startedAt < 20_000) await pause(5);
    expect(received).toEqual(['s-0', 's-1', 's-2', 's-3', 's-4', 's-5']);
    expect(readsAtStart).toBeGreaterThan(0);
    expect(fileReads.mock.calls.length).toBe(readsAtStart);
    await subscription.stop();
  });

  it('with the writer lock, an event that reached the file some other way is still read within a poll interval', async () => {
    const store = await open({ pollIntervalMs: 100, exclusiveWriter: true });
    await store.append('s-0', [contractEvent()], 'no_stream');
    const received: string[] = [];
    const subscription = store.subscribeToAll({ after: null, onEvent: async (e) => void received.push(e.stream) });
    const startedAt = Date.now();
    while (received.length < 1 && Date.now() - startedAt < 20_000) await pause(5);
    await store.append('s-1', [contractEvent()], 'no_stream');
    // A row written past the store (no lock taken, as a tool might): only the poll's read of the file brings it.
    const other = new Database(file);
    configureConnection(other);
    other.prepare("INSERT INTO events (id, stream, revision, type, schema_version, data, metadata) VALUES (?, 'outside', 0, 'test.v1', 1, '{}', '{}')").run(randomUUID());
    other.close();
    await store.append('s-2', [contractEvent()], 'no_stream');
    while (received.length < 4 && Date.now() - startedAt < 20_000) await pause(10);
    expect(received).toEqual(['s-0', 's-1', 'outside', 's-2']);
    await subscription.stop();
  });

  it("with the writer lock, a read past a stream's known end (a load's check for news) asks the file nothing", async () => {
    const store = await open({ exclusiveWriter: true });
    const sibling = await open();
    const queries = jest.spyOn((store as unknown as { statements: { readStreamForwards: { all: () => unknown[] } } }).statements.readStreamForwards, 'all');
    await store.append('s', [contractEvent(), contractEvent()], 'no_stream');
    expect(await store.readStream('s', { fromRevision: 2 })).toEqual([]);
    expect(await store.readStream('never-written', { fromRevision: 0 })).toEqual([]);
    expect(queries).toHaveBeenCalledTimes(1);
    expect(await store.readStream('never-written', { fromRevision: 0 })).toEqual([]);
    expect(queries).toHaveBeenCalledTimes(1);
    // Another store of this process on the file tells the same heads.
    await sibling.append('s', [contractEvent()], 1);
    await sibling.append('never-written', [contractEvent()], 'no_stream');
    expect((await store.readStream('s', { fromRevision: 2 })).map((e) => e.revision)).toEqual([2]);
    expect((await store.readStream('never-written', { fromRevision: 0 })).map((e) => e.revision)).toEqual([0]);
    expect((await store.readStream('s')).map((e) => e.revision)).toEqual([0, 1, 2]);
  });

  it('with the writer lock, an append refused for an event written some other way makes the next read ask the file', async () => {
    const store = await open({ exclusiveWriter: true });
    await store.append('s', [contractEvent()], 'no_stream');
    expect(await store.readStream('s', { fromRevision: 1 })).toEqual([]);
    const other = new Database(file);
    configureConnection(other);
    other.prepare("INSERT INTO events (id, stream, revision, type, schema_version, data, metadata) VALUES (?, 's', 1, 'test.v1', 1, '{}', '{}')").run(randomUUID());
    other.close();
    await expect(store.append('s', [contractEvent()], 0)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect((await store.readStream('s', { fromRevision: 1 })).map((e) => e.revision)).toEqual([1]);
    await store.append('s', [contractEvent()], 1);
    expect((await store.readStream('s')).map((e) => e.revision)).toEqual([0, 1, 2]);
  });

  it('hands a subscriber with onBatch each read at once, in position order, and continues after its last event', async () => {
    const store = await open({ pollIntervalMs: 60_000 });
    await store.append('s-1', [contractEvent(), contractEvent(), contractEvent()], 'no_stream');
    const batches: number[][] = [];
    const onEvent = jest.fn(async () => undefined);
    const subscription = store.subscribeToAll({ after: 1, onEvent, onBatch: async (events) => void batches.push(events.map((e) => e.position)) });
    const startedAt = Date.now();
    while (batches.length === 0 && Date.now() - startedAt < 20_000) await pause(5);
    expect(batches).toEqual([[2, 3]]);
    await store.append('s-2', [contractEvent(), contractEvent()], 'no_stream');
    while (batches.length === 1 && Date.now() - startedAt < 20_000) await pause(5);
    expect(batches).toEqual([[2, 3], [4, 5]]);
    expect(onEvent).not.toHaveBeenCalled();
    await subscription.stop();
  });

  it('woken again sooner than gatherMs after its last read, a subscription reads the appends of the rest of that time in one batch', async () => {
    // gatherMs long enough for two fsyncs of a loaded machine (the test's appends must land within it)
    const store = await open({ pollIntervalMs: 60_000, gatherMs: 3_000 });
    const batches: string[][] = [];
    const subscription = store.subscribeToAll({ after: null, onEvent: async () => undefined, onBatch: async (events) => void batches.push(events.map((e) => e.stream)) });
    // after a quiet spell longer than gatherMs, an append is read at once
    await pause(3_100);
    await store.append('s-1', [contractEvent()], 'no_stream');
    const startedAt = Date.now();
    while (batches.length === 0 && Date.now() - startedAt < 20_000) await pause(5);
    expect(batches).toEqual([['s-1']]);
    // two appends soon after that read, each its own commit and wake: read together once gatherMs have passed since it
    await store.append('s-2', [contractEvent()], 'no_stream');
    await pause(100);
    await store.append('s-3', [contractEvent()], 'no_stream');
    while (batches.length === 1 && Date.now() - startedAt < 20_000) await pause(5);
    expect(batches).toEqual([['s-1'], ['s-2', 's-3']]);
    await subscription.stop();
  });

  it('subscriptions catching up together read each batch of the file once between them, in position order', async () => {
    const writer = await open();
    for (let i = 0; i < 6; i++) await writer.append(`s-${i}`, Array.from({ length: 100 }, () => contractEvent()), 'no_stream');
    await writer.close();
    // a store opened afterwards holds none of them as its own recent appends: every event comes from the file
    const store = await open({ pollIntervalMs: 60_000 });
    const follow = (received: RecordedEvent[]) =>
      store.subscribeToAll({ after: null, onEvent: async () => undefined, onBatch: async (events) => void received.push(...events) });
    const first: RecordedEvent[] = [];
    const second: RecordedEvent[] = [];
    const subscriptions = [follow(first), follow(second)];
    const startedAt = Date.now();
    while ((first.length < 600 || second.length < 600) && Date.now() - startedAt < 20_000) await pause(5);
    expect(first.map((e) => e.position)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(second.map((e) => e.position)).toEqual(first.map((e) => e.position));
    // the very objects the first read parsed: one read and one parse per event for both
    expect(second.every((event, i) => event === first[i])).toBe(true);
    await Promise.all(subscriptions.map((s) => s.stop()));
  });

  it('appends requested together share a commit, and each keeps its own expected-revision check', async () => {
    const store = await open();
    const streams = Array.from({ length: 10 }, () => uniqueStream());
    const contested = uniqueStream();
    const outcomes = await Promise.allSettled([
      ...streams.map((stream) => store.append(stream, [contractEvent(), contractEvent()], 'no_stream')),
      store.append(contested, [contractEvent()], 'no_stream'),
      store.append(contested, [contractEvent()], 'no_stream'),
      store.append(contested, [contractEvent()], 0),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([...streams.map(() => 'fulfilled'), 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[11] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect((await store.readStream(contested)).map((e) => e.revision)).toEqual([0, 1]);
    const positions = (await store.readAll()).map((e) => e.position);
    expect(positions).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
  });

  it('opens a file written before snapshots existed: its events load, it has no snapshot, and one can be saved', async () => {
    const old = new Database(file);
    configureConnection(old);
    old.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL,
      revision INTEGER NOT NULL CHECK (revision >= 0), type TEXT NOT NULL, schema_version INTEGER NOT NULL, data TEXT NOT NULL,
      metadata TEXT NOT NULL, UNIQUE (stream, revision));
      CREATE TABLE checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL);`);
    old.prepare("INSERT INTO events (id, stream, revision, type, schema_version, data, metadata) VALUES ('e1', 'dir-1', 0, 'x.v1', 1, '{}', '{}')").run();
    old.close();

    const store = await open();
    expect((await store.readStream('dir-1')).map((e) => e.id)).toEqual(['e1']);
    expect(await store.snapshots.load('dir-1', 'dir.v1')).toBeNull();
    await store.snapshots.save('dir-1', 'dir.v1', { revision: 0, state: { n: 1 } });
    await store.snapshots.save('dir-1', 'dir.v1', { revision: 0, state: { n: 2 } });
    expect(await store.snapshots.load('dir-1', 'dir.v1')).toEqual({ revision: 0, state: { n: 1 } });
  });

  it('drops a snapshots table from before snapshots were stored in parts, keeping the events', async () => {
    const first = await open();
    await first.append('dir-3', [contractEvent()], 'no_stream');
    await first.close();
    const old = new Database(file);
    old.exec('DROP TABLE snapshots; CREATE TABLE snapshots (stream TEXT NOT NULL, name TEXT NOT NULL, revision INTEGER NOT NULL, state TEXT NOT NULL, PRIMARY KEY (stream, name))');
    old.prepare("INSERT INTO snapshots VALUES ('dir-3', 'dir.v1', 0, '[1]')").run();
    old.close();

    const reopened = await open();
    expect(await reopened.readStream('dir-3')).toHaveLength(1);
    expect(await reopened.snapshots.load('dir-3', 'dir.v1')).toBeNull();
    await reopened.snapshots.save('dir-3', 'dir.v1', { revision: 0, state: [2] });
    expect(await reopened.snapshots.load('dir-3', 'dir.v1')).toEqual({ revision: 0, state: [2] });
  });

  it('lists the streams a codec snapshotted, longest first, whatever their number of parts', async () => {
    const store = await open();
    await store.snapshots.save('dir-short', 'dir.v1', { revision: 1_200, state: [1] });
    await store.snapshots.save('dir-long', 'dir.v1', { revision: 99_000, state: Array.from({ length: SNAPSHOT_PART_SIZE + 1 }, (_, i) => i) });
    await store.snapshots.save('dir-mid', 'dir.v1', { revision: 5_000, state: { n: 1 } });
    await store.snapshots.save('other', 'other.v1', { revision: 1_000_000, state: [1] });
    expect(await store.snapshots.longest('dir.v1', 2)).toEqual(['dir-long', 'dir-mid']);
    expect(await store.snapshots.longest('dir.v1', 10)).toEqual(['dir-long', 'dir-mid', 'dir-short']);
  });

  it('stores an array snapshot in parts and loads it whole, yielding between the parts', async () => {
    const store = await open();
    const entries = Array.from({ length: SNAPSHOT_PART_SIZE * 2 + 345 }, (_, i) => [`AS2-${i}`, `prt_${i}`]);
    // The order of the parts' serialisation and of the event loop's turns (a turn marked by an immediate queued before
    // the store's own): a save that yields between its parts has a turn between every two parts, on any machine.
    const order: string[] = [];
    class PartsNoted extends Array<string[]> {
      override slice(start?: number, end?: number): string[][] {
        order.push('part');
        return Array.prototype.slice.call(this, start, end) as string[][];
      }
    }
    const state = new PartsNoted();
    state.push(...entries);
    const stopTicking = tickEachTurn(() => order.push('turn'));
    await store.snapshots.save('dir-2', 'dir.v1', { revision: 41, state });
    stopTicking();
    const parts = order.map((what, i) => (what === 'part' ? i : -1)).filter((i) => i >= 0);
    expect(parts).toHaveLength(3);
    for (let k = 1; k < parts.length; k++) expect(order.slice(parts[k - 1], parts[k])).toContain('turn');
    const reader = new Database(file);
    expect(reader.prepare("SELECT part FROM snapshots WHERE stream = 'dir-2' ORDER BY part").pluck().all()).toEqual([0, 1, 2]);
    reader.close();

    let turns = 0;
    const stopCounting = tickEachTurn(() => turns++);
    const loaded = await store.snapshots.load('dir-2', 'dir.v1');
    stopCounting();
    expect(loaded).toEqual({ revision: 41, state: entries });
    // a part per turn: the two after the first each read in a later turn
    expect(turns).toBeGreaterThanOrEqual(2);

    await store.snapshots.save('dir-2', 'dir.v1', { revision: 42, state: [['only', 'one']] });
    expect(await store.snapshots.load('dir-2', 'dir.v1')).toEqual({ revision: 42, state: [['only', 'one']] });
  });

  it('reads a snapshot a part per turn, and reads it again when a save replaces it between two parts', async () => {
    const store = await open();
    const older = Array.from({ length: SNAPSHOT_PART_SIZE * 3 }, (_, i) => [`AS2-${i}`, `prt_${i}`]);
    await store.snapshots.save('dir-4', 'dir.v1', { revision: 10, state: older });
    let turns = 0;
    const readPerTurn = await store.snapshots.load('dir-4', 'dir.v1', async () => void (turns += 1));
    expect(readPerTurn).toEqual({ revision: 10, state: older });
    expect(turns).toBe(3);

    // A newer snapshot with fewer parts lands after the first part was read: the load starts over and answers it whole.
    const newer = [['AS2-new', 'prt_new']];
    let saved = false;
    const loaded = await store.snapshots.load('dir-4', 'dir.v1', async () => {
      if (saved) return;
      saved = true;
      await store.snapshots.save('dir-4', 'dir.v1', { revision: 20, state: newer });
    });
    expect(loaded).toEqual({ revision: 20, state: newer });
  });

  it('writes a large snapshot a bounded transaction at a time above the one it replaces, which loads see whole until its last step', async () => {
    const store = await open();
    // ~1 MB a part: SNAPSHOT_WRITE_BYTES holds two, so eight parts take four transactions and a last step.
    const big = (revision: number, parts: number) => Array.from({ length: SNAPSHOT_PART_SIZE * parts }, (_, i) => `${revision}:${i}:`.padEnd(1_000, 'x'));
    const older = big(10, 3);
    await store.snapshots.save('dir-5', 'dir.v1', { revision: 10, state: older });
    const reader = new Database(file, { readonly: true });
    const rows = reader.prepare<[], { part: number; revision: number }>("SELECT part, revision FROM snapshots WHERE stream = 'dir-5' ORDER BY part");
    // At every turn of the save: the run of parts a load reads (the lowest up to the first number missing) is one whole snapshot.
    const seen: { readRevision: number; readParts: number; newerParts: number }[] = [];
    const stopTicking = tickEachTurn(() => {
      const all = rows.all();
      const run = all.filter((row, i) => row.part - (all[0]?.part ?? 0) === i);
      seen.push({ readRevision: run[0]?.revision ?? -1, readParts: new Set(run.map((row) => row.revision)).size === 1 ? run.length : -1, newerParts: all.filter((row) => row.revision === 20).length });
    });
    const newer = big(20, 8);
    await store.snapshots.save('dir-5', 'dir.v1', { revision: 20, state: newer });
    stopTicking();
    for (const turn of seen) expect([`10:${turn.readParts}`, `20:${turn.readParts}`]).toContain(turn.readRevision === 10 ? '10:3' : turn.readRevision === 20 ? '20:8' : 'none');
    // the new parts were written a few at a time (never all eight in one transaction) while the older snapshot was read
    const writtenSoFar = new Set(seen.filter((turn) => turn.readRevision === 10).map((turn) => turn.newerParts));
    expect([...writtenSoFar].filter((parts) => parts > 0 && parts < 8).length).toBeGreaterThanOrEqual(2);
    expect(await store.snapshots.load('dir-5', 'dir.v1')).toEqual({ revision: 20, state: newer });
    expect(new Set(rows.all().map((row) => row.revision))).toEqual(new Set([20]));
    expect(rows.all()).toHaveLength(8);
    reader.close();
  });

  it('a save stopped half-way leaves the snapshot before it whole, and the next save removes its parts', async () => {
    const store = await open();
    const older = Array.from({ length: SNAPSHOT_PART_SIZE * 2 }, (_, i) => [`AS2-${i}`, `prt_${i}`]);
    await store.snapshots.save('dir-6', 'dir.v1', { revision: 10, state: older });
    // What a crash between two of a save's transactions leaves: some of its parts above the snapshot, a number left out.
    const writer = new Database(file);
    const highest = writer.prepare<[], { part: number }>("SELECT max(part) AS part FROM snapshots WHERE stream = 'dir-6'").get()?.part as number;
    writer.prepare("INSERT INTO snapshots (stream, name, part, revision, state) VALUES ('dir-6', 'dir.v1', ?, 99, '[[\"AS2-x\",\"prt_x\"]]')").run(highest + 2);
    writer.close();
    expect(await store.snapshots.load('dir-6', 'dir.v1')).toEqual({ revision: 10, state: older });
    expect(await store.snapshots.longest('dir.v1', 10)).toEqual(['dir-6']);
    await store.snapshots.save('dir-6', 'dir.v1', { revision: 30, state: [['AS2-0', 'prt_0']] });
    expect(await store.snapshots.load('dir-6', 'dir.v1')).toEqual({ revision: 30, state: [['AS2-0', 'prt_0']] });
    const reader = new Database(file, { readonly: true });
    expect(reader.prepare("SELECT revision FROM snapshots WHERE stream = 'dir-6'").pluck().all()).toEqual([30]);
    reader.close();
  });

  it('two saves of one stream at once leave the newer snapshot whole, whichever began first', async () => {
    const store = await open();
    const big = (revision: number, parts: number) => Array.from({ length: SNAPSHOT_PART_SIZE * parts }, (_, i) => `${revision}:${i}:`.padEnd(1_000, 'x'));
    await store.snapshots.save('dir-7', 'dir.v1', { revision: 10, state: big(10, 1) });
    for (const [firstRevision, secondRevision] of [
      [20, 30],
      [50, 40],
    ] as const) {
      const first = big(firstRevision, 6);
      const second = big(secondRevision, 5);
      await Promise.all([store.snapshots.save('dir-7', 'dir.v1', { revision: firstRevision, state: first }), store.snapshots.save('dir-7', 'dir.v1', { revision: secondRevision, state: second })]);
      const newer = firstRevision > secondRevision ? { revision: firstRevision, state: first } : { revision: secondRevision, state: second };
      expect(await store.snapshots.load('dir-7', 'dir.v1')).toEqual(newer);
      const reader = new Database(file, { readonly: true });
      expect(reader.prepare("SELECT DISTINCT revision FROM snapshots WHERE stream = 'dir-7'").pluck().all()).toEqual([newer.revision]);
      reader.close();
    }
  });

  it('a write model snapshots a long stream into the file, and one opened after a restart resumes from it', async () => {
    type Added = { readonly type: 'total.added.v1'; readonly data: { readonly by: number } };
    const total: Decider<number, number, Added> = {
      initialState: () => 0,
      decide: (by) => [{ type: 'total.added.v1', data: { by } }],
      evolve: (sum, event) => sum + event.data.by,
      snapshot: { name: 'total.v1', toJson: (sum) => sum, fromJson: (json) => json as number },
    };
    const metadata = contractEvent().metadata;
    const first = await open();
    const writer = new WriteModel(first, { snapshotEvery: 5 });
    for (let by = 1; by <= 12; by++) await writer.decide('total-1', total, by, metadata);
    await first.close();

    const reopened = await open();
    expect(await reopened.snapshots.load('total-1', 'total.v1')).toEqual({ revision: 9, state: 55 });
    expect(await new WriteModel(reopened).load('total-1', total)).toEqual({ state: 78, revision: 11 });
  });

  describe('two stores on one file (as two processes would have)', () => {
    it('checks expected revisions across connections', async () => {
      const [a, b] = [await open(), await open()];
      await a.append('s-1', [contractEvent()], 'no_stream');
      await expect(b.append('s-1', [contractEvent()], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(b.append('s-1', [contractEvent()], 0)).resolves.toMatchObject({ nextExpectedRevision: 1 });
      await expect(a.append('s-1', [contractEvent()], 0)).rejects.toMatchObject({ actual: 1 });
      expect((await a.readStream('s-1')).map((e) => e.revision)).toEqual([0, 1]);
    });

    it('recognises an idempotent retry made through the other connection', async () => {
      const [a, b] = [await open(), await open()];
      const batch = [contractEvent(), contractEvent()];
      const first = await a.append('s-1', batch, 'no_stream');
      expect(await b.append('s-1', batch, 'no_stream')).toEqual(first);
      expect(await b.readStream('s-1')).toHaveLength(2);
    });

    it("a subscription gets its own store's appends and the other connection's between them, in position order", async () => {
      const watcher = await open({ pollIntervalMs: 100 });
      const other = await open();
      const received: RecordedEvent[] = [];
      const subscription = watcher.subscribeToAll({ after: null, onEvent: async (e) => void received.push(e) });
      await watcher.append('s-1', [contractEvent()], 'no_stream');
      await other.append('s-2', [contractEvent()], 'no_stream');
      await watcher.append('s-1', [contractEvent()], 0);
      const startedAt = Date.now();
      while (received.length < 3 && Date.now() - startedAt < 20_000) await pause(10);
      expect(received.map((e) => [e.position, e.stream])).toEqual([[1, 's-1'], [2, 's-2'], [3, 's-1']]);
      await subscription.stop();
    });

    it("a subscription sees another process's appends by polling", async () => {
      const watcher = await open({ pollIntervalMs: 100 });
      const received: RecordedEvent[] = [];
      const subscription = watcher.subscribeToAll({ after: null, onEvent: async (e) => void received.push(e) });
      await pause(150);
      const stream = uniqueStream('polled');
      const { child, matched, exited } = runChild([file, 'crash', stream], (line) => line.startsWith('{'));
      try {
        await matched;
        const startedAt = Date.now();
        // Only a poll can bring another process's appends; the budget is for a loaded machine, not the 100 ms interval.
        while (received.length < 1 && Date.now() - startedAt < 20_000) await pause(10);
        expect(received.map((e) => [e.stream, e.revision])).toEqual([[stream, 0]]);
      } finally {
        child.kill('SIGKILL');
        await exited;
        await subscription.stop();
      }
    }, 60_000);
  });

  it('close() stops running subscriptions without reporting an error', async () => {
    const store = await SqliteEventStore.open(file);
    const errors: unknown[] = [];
    store.subscribeToAll({ after: null, onEvent: async () => undefined, onError: (e) => errors.push(e) });
    await store.close();
    await pause(300);
    expect(errors).toEqual([]);
    expect(() => store.subscribeToAll({ onEvent: async () => undefined })).toThrow(/closed/);
  });

  it('an append that returned survives the process being killed right after', async () => {
    const stream = uniqueStream('crash');
    const { child, matched, exited } = runChild([file, 'crash', stream], (line) => line.startsWith('{'));
    const reported = JSON.parse(await matched) as { id: string; nextExpectedRevision: number; position: number };
    child.kill('SIGKILL');
    await exited;

    const reopened = await open();
    const [stored] = await reopened.readStream(stream);
    expect(stored).toMatchObject({ id: reported.id, revision: 0, position: reported.position });
  }, 30_000);

  it('several processes appending to one stream with retries get contiguous revisions', async () => {
    const stream = `contended-${randomUUID()}`;
    const perProcess = 100;
    const children = [1, 2, 3].map(() => runChild([file, 'contend', stream, String(perProcess)], (l) => l.includes('conflicts')));
    await Promise.all(children.map((c) => c.matched));
    await Promise.all(children.map((c) => c.exited));

    const store = await open();
    const stored = await store.readStream(stream);
    expect(stored.map((e) => e.revision)).toEqual(Array.from({ length: 3 * perProcess }, (_, n) => n));
    expect(new Set(stored.map((e) => (e.data as { pid: number }).pid)).size).toBe(3);
  }, 60_000);
});
