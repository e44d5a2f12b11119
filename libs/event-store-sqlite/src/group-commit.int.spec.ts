import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EventStoreUnavailableError } from '@as2-partners/kernel';
import { GroupCommit } from './group-commit';
import { WalSync } from './wal-sync';
import { configureConnection } from './sqlite-schema';

describe('GroupCommit on a real file', () => {
  let dir: string;
  let writer: Database.Database;
  let reader: Database.Database;
  let batches: boolean[];
  let commits: GroupCommit;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
    writer = new Database(join(dir, 'db.sqlite'));
    configureConnection(writer);
    writer.exec('CREATE TABLE rows (name TEXT PRIMARY KEY)');
    reader = new Database(join(dir, 'db.sqlite'));
    batches = [];
    commits = new GroupCommit(writer, { committed: () => (batches.push(true), () => undefined), rolledBack: () => batches.push(false) });
  });
  afterEach(() => {
    writer.close();
    reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (name: string) => () => writer.prepare('INSERT INTO rows (name) VALUES (?)').run(name).changes;
  const visibleToAnotherConnection = () => (reader.prepare('SELECT COUNT(*) AS n FROM rows').get() as { n: number }).n;

  it('commits writes requested together in one transaction: none is visible elsewhere before the last has run', async () => {
    let seenByLast = -1;
    const results = await Promise.all([
      commits.run(insert('a')),
      commits.run(insert('b')),
      commits.run(() => {
        seenByLast = visibleToAnotherConnection();
        return insert('c')();
      }),
    ]);
    expect(results).toEqual([1, 1, 1]);
    expect(seenByLast).toBe(0);
    expect(batches).toEqual([true]);
    expect(visibleToAnotherConnection()).toBe(3);
  });

  it('rolls back a write that throws alone, and still commits the others', async () => {
    const outcomes = await Promise.allSettled([
      commits.run(insert('a')),
      commits.run(() => {
        insert('half')();
        throw new Error('refused');
      }),
      commits.run(insert('a')),
      commits.run(insert('b')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('refused'));
    expect(reader.prepare('SELECT name FROM rows ORDER BY name').pluck().all()).toEqual(['a', 'b']);
  });

  it('rejects every write of a batch whose commit fails, and reports the batch rolled back', async () => {
    // Another connection holds the write lock past the busy timeout: the IMMEDIATE transaction cannot start.
    writer.pragma('busy_timeout = 50');
    reader.exec('BEGIN IMMEDIATE');
    const outcomes = await Promise.allSettled([commits.run(insert('a')), commits.run(insert('b'))]);
    reader.exec('ROLLBACK');
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toBeInstanceOf(EventStoreUnavailableError);
    expect((outcomes[0] as PromiseRejectedResult).reason.maybeStored).toBe(false);
    expect(batches).toEqual([false]);
    expect(visibleToAnotherConnection()).toBe(0);
  });

  /** The file may not grow past its pages now, as on a full disk: SQLite answers SQLITE_FULL. */
  const fillTheDisk = () => writer.pragma(`max_page_count = ${Number(writer.pragma('page_count', { simple: true }))}`);
  const freeTheDisk = () => writer.pragma('max_page_count = 1073741823');
  const large = (name: string) => () => writer.prepare('INSERT INTO rows (name) VALUES (?)').run(name + 'x'.repeat(200_000)).changes;

  it('answers the writes a full disk refused with EventStoreUnavailableError, keeps it as the failure, and clears it once a batch commits again', async () => {
    expect(commits.failure).toBeNull();
    fillTheDisk();
    const refused = await Promise.allSettled([commits.run(large('a'))]);
    expect(refused[0]?.status).toBe('rejected');
    const reason = (refused[0] as PromiseRejectedResult).reason as EventStoreUnavailableError;
    expect(reason).toBeInstanceOf(EventStoreUnavailableError);
    expect(reason.message).toMatch(/SQLITE_FULL/);
    expect(commits.failure).toBe(reason);
    // Still full: the next write fails the same way, and the failure stays.
    await expect(commits.run(large('b'))).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(commits.failure).not.toBeNull();
    freeTheDisk();
    await expect(commits.run(large('c'))).resolves.toBe(1);
    expect(commits.failure).toBeNull();
    expect(reader.prepare('SELECT substr(name, 1, 1) FROM rows').pluck().all()).toEqual(['c']);
  });

  it('on a full disk answers each write of a batch as the file holds it: what is answered stored is there, nothing else', async () => {
    fillTheDisk();
    const outcomes = await Promise.allSettled([commits.run(insert('a')), commits.run(large('big')), commits.run(insert('b'))]);
    const stored = reader.prepare('SELECT name FROM rows ORDER BY name').pluck().all();
    const answeredStored = ['a', 'big', 'b'].filter((_, i) => outcomes[i]?.status === 'fulfilled').sort();
    expect(outcomes[1]?.status).toBe('rejected');
    expect(stored).toEqual(answeredStored);
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(EventStoreUnavailableError);
  });
});

describe('GroupCommit with the WAL synced off the event loop', () => {
  let dir: string;
  let writer: Database.Database;
  let reader: Database.Database;
  let started: { readonly visibleWhenStarted: number; readonly finish: (error: Error | null) => void }[];
  let durableBatches: number;
  let commits: GroupCommit;

  const insert = (name: string) => () => writer.prepare('INSERT INTO rows (name) VALUES (?)').run(name).changes;
  const visibleToAnotherConnection = () => (reader.prepare('SELECT COUNT(*) AS n FROM rows').get() as { n: number }).n;
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  const state = (promise: Promise<unknown>) => {
    const seen = { value: 'pending' as 'pending' | 'resolved' | 'rejected' };
    promise.then(
      () => (seen.value = 'resolved'),
      () => (seen.value = 'rejected'),
    );
    return seen;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-sync-'));
    writer = new Database(join(dir, 'db.sqlite'));
    configureConnection(writer);
    writer.exec('CREATE TABLE rows (name TEXT PRIMARY KEY)');
    writer.pragma('synchronous = NORMAL');
    reader = new Database(join(dir, 'db.sqlite'));
    started = [];
    durableBatches = 0;
    const walSync = new WalSync(join(dir, 'db.sqlite-wal'), (_fd, finish) => started.push({ visibleWhenStarted: visibleToAnotherConnection(), finish }));
    commits = new GroupCommit(writer, { committed: () => () => (durableBatches += 1), rolledBack: () => undefined }, walSync);
  });
  afterEach(() => {
    for (const sync of started) sync.finish(null);
    writer.close();
    reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the writers of a batch only once the WAL was synced after their commit', async () => {
    const a = state(commits.run(insert('a')));
    const b = state(commits.run(insert('b')));
    await turn();
    expect(started).toHaveLength(1);
    // The sync starts after the commit: both rows are in the WAL it syncs.
    expect(started[0]?.visibleWhenStarted).toBe(2);
    expect([a.value, b.value]).toEqual(['pending', 'pending']);
    expect(durableBatches).toBe(0);
    expect(commits.unsynced).toBe(1);
    started[0]?.finish(null);
    await turn();
    expect([a.value, b.value]).toEqual(['resolved', 'resolved']);
    expect(durableBatches).toBe(1);
    expect(commits.unsynced).toBe(0);
  });

  it('lets the batches committed during a sync share the next sync, while the event loop goes on', async () => {
    const first = state(commits.run(insert('a')));
    await turn();
    const second = state(commits.run(insert('b')));
    await turn();
    const third = state(commits.run(insert('c')));
    await turn();
    // Three batches committed, one sync running: the later two wait for one more sync, not one each.
    expect(visibleToAnotherConnection()).toBe(3);
    expect(started).toHaveLength(1);
    started[0]?.finish(null);
    await turn();
    expect([first.value, second.value, third.value]).toEqual(['resolved', 'pending', 'pending']);
    expect(started).toHaveLength(2);
    expect(started[1]?.visibleWhenStarted).toBe(3);
    started[1]?.finish(null);
    await turn();
    expect([second.value, third.value]).toEqual(['resolved', 'resolved']);
  });

  it('answers a refused write alone and the others once synced, with nothing of the refused one stored', async () => {
    const outcomes = Promise.allSettled([
      commits.run(insert('a')),
      commits.run(() => {
        insert('half')();
        throw new Error('refused');
      }),
      commits.run(insert('b')),
    ]);
    await turn();
    started[0]?.finish(null);
    expect((await outcomes).map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(reader.prepare('SELECT name FROM rows ORDER BY name').pluck().all()).toEqual(['a', 'b']);
  });

  it('answers a write asked for at commit before the sync, with a durability that resolves once synced', async () => {
    const committed = commits.runCommitted(insert('a'));
    const plain = state(commits.run(insert('b')));
    await turn();
    const { value, durable } = await committed;
    expect(value).toBe(1);
    const synced = state(durable);
    await turn();
    expect([synced.value, plain.value]).toEqual(['pending', 'pending']);
    started[0]?.finish(null);
    await turn();
    expect([synced.value, plain.value]).toEqual(['resolved', 'resolved']);
  });

  it('refuses a write asked for at commit at once, and fails its durability honestly when the sync fails', async () => {
    const refused = commits.runCommitted(() => {
      throw new Error('refused');
    });
    const kept = commits.runCommitted(insert('a'));
    await expect(refused).rejects.toThrow('refused');
    const { durable } = await kept;
    started[0]?.finish(new Error('EIO'));
    await expect(durable).rejects.toThrow(/could not be synced to disk/);
  });

  it('tells every writer of a batch whose sync failed that its write may be lost, never that it is durable', async () => {
    const outcomes = Promise.allSettled([commits.run(insert('a')), commits.run(insert('b'))]);
    await turn();
    started[0]?.finish(new Error('EIO'));
    const settled = await outcomes;
    expect(settled.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(String((settled[0] as PromiseRejectedResult).reason.message)).toMatch(/could not be synced to disk/);
    // The rows were committed (a restart shows them): followers are not held back from them.
    expect(durableBatches).toBe(1);
    expect(commits.unsynced).toBe(0);
  });

  it('keeps a failed sync as the failure (the write may be stored) until a later batch is synced', async () => {
    const failed = commits.run(insert('a'));
    await turn();
    started[0]?.finish(new Error('EIO'));
    const reason = await failed.then(() => null, (error: unknown) => error);
    expect(reason).toBeInstanceOf(EventStoreUnavailableError);
    expect((reason as EventStoreUnavailableError).maybeStored).toBe(true);
    expect(commits.failure).toBe(reason);
    const next = commits.run(insert('b'));
    await turn();
    expect(commits.failure).toBe(reason);
    started[1]?.finish(null);
    await next;
    expect(commits.failure).toBeNull();
  });
});
