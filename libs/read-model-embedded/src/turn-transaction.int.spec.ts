import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { EmbeddedReadModelStore } from './embedded-read-model-store';
import { observedStorePerTest } from './observed-store.spec-support';
import { configureReadModelConnection, createReadModelSchema } from './read-model-sqlite-schema';
import { COMMIT_INTERVAL_MS, TurnTransaction } from './turn-transaction';

interface Partner {
  readonly _id: string;
  readonly name: string;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('EmbeddedReadModelStore group commit (one transaction per event-loop turn)', () => {
  const observed = observedStorePerTest('read-model-turn-');
  let dir: string;
  let file: string;
  let store: EmbeddedReadModelStore;
  let observer: Database.Database;
  beforeEach(() => ({ dir, file, store, observer } = observed()));

  const committedDocs = (): number => (observer.prepare("SELECT count(*) AS n FROM read_model_docs WHERE collection = 'partners'").get() as { n: number }).n;
  const committedCheckpoint = (): number | null =>
    (observer.prepare("SELECT position FROM read_model_checkpoints WHERE name = 'partners-projection'").get() as { position: number } | undefined)?.position ?? null;

  it('commits the documents of one turn together with the checkpoint saved in it, and reads its own writes before', async () => {
    const partners = store.collection<Partner>('partners', [['name']], { fields: ['name'], scope: [] });
    for (let i = 1; i <= 50; i++) {
      await partners.put({ _id: `p${i}`, name: `Partner ${i}` });
      await store.checkpointStore().save('partners-projection', i);
    }

    // read-your-writes on the store's own connection before the commit: by id, through the index, through the search
    expect(await partners.get('p50')).toEqual({ _id: 'p50', name: 'Partner 50' });
    expect((await partners.find({ filter: { name: 'Partner 7' } })).items).toEqual([{ _id: 'p7', name: 'Partner 7' }]);
    expect(await partners.count({ name: { $regex: 'ner 4', $options: 'i' } })).toBe(11);
    expect(await store.checkpointStore().load('partners-projection')).toBe(50);
    // nothing of the turn is in the file yet: neither the documents nor the position
    expect(committedDocs()).toBe(0);
    expect(committedCheckpoint()).toBeNull();

    await nextTurn();
    expect(committedDocs()).toBe(50);
    expect(committedCheckpoint()).toBe(50);
  });

  it('rolls back a write that fails alone, keeping the rest of the turn', async () => {
    const partners = store.collection<Partner>('partners');
    await partners.put({ _id: 'a', name: 'Acme' });
    await expect(partners.put({ _id: '', name: 'no id' })).rejects.toThrow(/non-empty string _id/);
    await partners.put({ _id: 'b', name: 'Globex' });
    await store.checkpointStore().save('partners-projection', 3);
    await nextTurn();
    expect(committedDocs()).toBe(2);
    expect(committedCheckpoint()).toBe(3);
  });

  it('a write after which SQLite rolled the whole transaction back (a full disk) fails it: no later write commits alone, no checkpoint is stored past the lost documents, until a restart', async () => {
    const partners = store.collection<Partner>('partners');
    const turn = (store as unknown as { turn: TurnTransaction }).turn;
    const db = (store as unknown as { db: Database.Database }).db;
    await partners.put({ _id: 'a', name: 'Acme' });
    await store.checkpointStore().save('partners-projection', 1);
    expect(store.restartNeeded()).toBeNull();
    // SQLITE_FULL may undo the whole transaction, not only its statement (sqlite.org/lang_transaction.html)
    expect(() =>
      turn.write(() => {
        db.exec('ROLLBACK');
        throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      }),
    ).toThrow(/disk is full/);
    // the same turn and the turns after: refused, not run outside a transaction (each would commit alone)
    await expect(partners.put({ _id: 'b', name: 'Globex' })).rejects.toThrow(/restart to re-apply/);
    await expect(store.checkpointStore().save('partners-projection', 2)).rejects.toThrow(/restart to re-apply/);
    await nextTurn();
    await nextTurn();
    await expect(partners.put({ _id: 'c', name: 'Initech' })).rejects.toThrow(/restart to re-apply/);
    expect(committedDocs()).toBe(0);
    expect(committedCheckpoint()).toBeNull();
    await expect(store.ping()).rejects.toThrow(/disk is full/);
    expect(store.restartNeeded()).toMatch(/restart to re-apply.*disk is full/);
  });

  it('undoes a write SQLite refuses, alone or with the documents written with it, keeping the rest of the turn', async () => {
    const partners = store.collection<Partner>('partners');
    const writer = new Database(file);
    writer.exec("CREATE TRIGGER refuse_bad BEFORE INSERT ON read_model_docs WHEN NEW.id = 'bad' BEGIN SELECT RAISE(ABORT, 'refused'); END");
    writer.close();
    await partners.put({ _id: 'a', name: 'Acme' });
    // matched by fields, not toThrow: better-sqlite3 builds its errors from the test file that first opened a database in this jest worker, so here they are not `instanceof Error`
    const refused = { code: 'SQLITE_CONSTRAINT_TRIGGER', message: 'refused' };
    await expect(partners.put({ _id: 'bad', name: 'one statement' })).rejects.toMatchObject(refused);
    await expect(partners.putMany([{ _id: 'c', name: 'written first' }, { _id: 'bad', name: 'then refused' }])).rejects.toMatchObject(refused);
    await partners.put({ _id: 'b', name: 'Globex' });
    expect([await partners.get('bad'), await partners.get('c')]).toEqual([null, null]);
    await nextTurn();
    expect(committedDocs()).toBe(2);
  });

  it('a write SQLite refuses leaves the kept counts as they were', async () => {
    const partners = store.collection<Partner>('partners', [['name']]);
    await partners.putMany([{ _id: 'a', name: 'Acme' }, { _id: 'b', name: 'Acme' }]);
    expect(await partners.count({ name: 'Acme' })).toBe(2);
    (store as unknown as { db: Database.Database }).db.exec("CREATE TRIGGER refuse_bad BEFORE INSERT ON read_model_docs WHEN NEW.id = 'bad' BEGIN SELECT RAISE(ABORT, 'refused'); END");
    await expect(partners.put({ _id: 'bad', name: 'Acme' })).rejects.toMatchObject({ message: 'refused' });
    await expect(partners.putMany([{ _id: 'c', name: 'Acme' }, { _id: 'bad', name: 'Acme' }])).rejects.toMatchObject({ message: 'refused' });
    await expect(partners.putMany([{ _id: 'a', name: 'Initech' }, { _id: 'bad', name: 'Acme' }])).rejects.toMatchObject({ message: 'refused' });
    expect(await partners.count({ name: 'Acme' })).toBe(2);
    expect((await partners.find({ filter: { name: 'Acme' } })).total).toBe(2);
  });

  it('a deleted checkpoint forgets the position saved earlier in the same turn', async () => {
    await store.checkpointStore().save('partners-projection', 9);
    await store.checkpointStore().delete('partners-projection');
    expect(await store.checkpointStore().load('partners-projection')).toBeNull();
    await nextTurn();
    expect(committedCheckpoint()).toBeNull();
  });

  it('commits the open turn when the store closes', async () => {
    await store.collection<Partner>('partners').put({ _id: 'a', name: 'Acme' });
    await store.checkpointStore().save('partners-projection', 1);
    await store.close();
    expect(committedDocs()).toBe(1);
    expect(committedCheckpoint()).toBe(1);
  });

  /**
   * A TurnTransaction on a file of its own, under jest's fake timers: `insert` writes a document, `committed` counts
   * what another connection reads of the file, `reader` is that connection.
   */
  async function onOwnFile(name: string, body: (file: { turn: TurnTransaction; insert: (id: string) => void; committed: () => number; db: Database.Database; reader: Database.Database }) => Promise<void> | void): Promise<void> {
    jest.useFakeTimers();
    const db = new Database(join(dir, name));
    const reader = new Database(join(dir, name), { readonly: true });
    try {
      configureReadModelConnection(db);
      createReadModelSchema(db);
      const statement = db.prepare("INSERT INTO read_model_docs (collection, id, body) VALUES ('partners', ?, '{}')");
      const committed = (): number => reader.prepare('SELECT count(*) FROM read_model_docs').pluck().get() as number;
      const turn = new TurnTransaction(db);
      await body({ turn, insert: (id) => turn.write(() => statement.run(id)), committed, db, reader });
    } finally {
      jest.useRealTimers();
      reader.close();
      db.close();
    }
  }

  it('commits at most once per COMMIT_INTERVAL_MS: the turns of that span share the next commit, a turn after a quiet spell commits as it ends', () =>
    onOwnFile('interval.sqlite', ({ turn, insert, committed, db, reader }) => {
      insert('p1');
      jest.advanceTimersByTime(0);
      expect(committed()).toBe(1);
      // the next turns come within the interval: their writes wait for its end, together
      insert('p2');
      turn.savePosition('partners-projection', 2);
      jest.advanceTimersByTime(COMMIT_INTERVAL_MS / 2);
      insert('p3');
      jest.advanceTimersByTime(COMMIT_INTERVAL_MS / 2 - 1);
      expect(committed()).toBe(1);
      expect(db.prepare('SELECT count(*) FROM read_model_docs').pluck().get()).toBe(3);
      jest.advanceTimersByTime(1);
      expect(committed()).toBe(3);
      expect(reader.prepare('SELECT position FROM read_model_checkpoints').pluck().get()).toBe(2);
      // quiet for longer than the interval: a write commits at the end of its turn
      jest.advanceTimersByTime(5 * COMMIT_INTERVAL_MS);
      insert('p4');
      jest.advanceTimersByTime(0);
      expect(committed()).toBe(4);
    }));

  it('committed({ soon }) brings a commit waiting for the interval forward to the end of the turn; the writes of that span go with it', () =>
    onOwnFile('soon.sqlite', async ({ turn, insert, committed }) => {
      insert('p1');
      jest.advanceTimersByTime(0);
      // within the interval: this write would wait for its end, but a waiter asks for it soon
      insert('p2');
      const settled = turn.committed(true);
      jest.advanceTimersByTime(0);
      expect(committed()).toBe(2);
      await settled;
      // the interval's timer was dropped: nothing commits twice, and the next write waits for the interval again
      insert('p3');
      jest.advanceTimersByTime(COMMIT_INTERVAL_MS - 1);
      expect(committed()).toBe(2);
      jest.advanceTimersByTime(1);
      expect(committed()).toBe(3);
    }));

  it('committed() resolves once the writes made before it are in the file, at once when none is pending, and rejects when their commit fails', async () => {
    const partners = store.collection<Partner>('partners');
    await store.committed();
    await partners.put({ _id: 'a', name: 'Acme' });
    await store.committed();
    expect(committedDocs()).toBe(1);
    // within the commit interval of that commit: the next write waits for its end, and so does committed()
    await partners.put({ _id: 'b', name: 'Globex' });
    const committed = store.committed();
    expect(committedDocs()).toBe(1);
    await committed;
    expect(committedDocs()).toBe(2);

    await partners.put({ _id: 'c', name: 'Initech' });
    const failing = store.committed();
    (store as unknown as { db: Database.Database }).db.exec('ROLLBACK');
    await expect(failing).rejects.toThrow(/rolled back/);
    expect(committedDocs()).toBe(2);
    // asked after the failure (no transaction open any more): still not in, until a restart
    await expect(store.committed()).rejects.toThrow(/read-model transaction failed/);
  });

  it('holds one transaction across turns during a bulk load, committed at the end of the turn its write limit is reached in, with its checkpoints', async () => {
    const db = new Database(join(dir, 'held.sqlite'));
    configureReadModelConnection(db);
    createReadModelSchema(db);
    const held = new Database(join(dir, 'held.sqlite'), { readonly: true });
    const insert = db.prepare("INSERT INTO read_model_docs (collection, id, body) VALUES ('partners', ?, '{}')");
    const committed = (): number => (held.prepare('SELECT count(*) AS n FROM read_model_docs').get() as { n: number }).n;
    const position = (): number | null => (held.prepare('SELECT position FROM read_model_checkpoints').get() as { position: number } | undefined)?.position ?? null;
    const turn = new TurnTransaction(db);
    try {
      turn.holdCommitsFor(5);
      for (let i = 1; i <= 4; i++) {
        turn.write(() => insert.run(`p${i}`));
        turn.savePosition('partners-projection', i);
        await nextTurn();
      }
      expect([committed(), position()]).toEqual([0, null]);
      turn.write(() => insert.run('p5'));
      turn.write(() => insert.run('p6'));
      turn.savePosition('partners-projection', 6);
      expect(committed()).toBe(0);
      await nextTurn();
      expect([committed(), position()]).toEqual([6, 6]);

      turn.write(() => insert.run('p7'));
      turn.savePosition('partners-projection', 7);
      await nextTurn();
      expect(committed()).toBe(6);
      turn.endHold();
      expect([committed(), position()]).toEqual([7, 7]);
      // and turns commit again, the first once the commit interval since endHold's commit has passed
      turn.write(() => insert.run('p8'));
      await turn.committed();
      expect(committed()).toBe(8);
    } finally {
      held.close();
      db.close();
    }
  });
});
