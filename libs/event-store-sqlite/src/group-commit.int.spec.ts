import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GroupCommit } from './group-commit';
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
    commits = new GroupCommit(writer, (committed) => batches.push(committed));
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
    expect(batches).toEqual([false]);
    expect(visibleToAnotherConnection()).toBe(0);
  });
});
