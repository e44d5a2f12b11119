import Database from 'better-sqlite3';
import type { ReadModelCollection } from '@as2-partners/kernel';
import { HELD_ROWS_PER_STATEMENT, type EmbeddedReadModelCollection } from './embedded-read-model-collection';
import type { EmbeddedReadModelStore } from './embedded-read-model-store';
import { observedStorePerTest } from './observed-store.spec-support';

interface Partner {
  readonly _id: string;
  readonly tenant: string;
  readonly name: string;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const search = (text: string) => ({ tenant: 't1', name: { $regex: text, $options: 'i' } });

describe('EmbeddedReadModelStore bulk load: rows held and written in multi-row statements', () => {
  const observed = observedStorePerTest('read-model-held-');
  let file: string;
  let store: EmbeddedReadModelStore;
  let observer: Database.Database;
  beforeEach(() => ({ file, store, observer } = observed()));

  /** Rows of the collection the table holds, on the store's own connection (the open transaction's writes included). */
  const inTable = (collection: string): number =>
    (store as unknown as { db: Database.Database }).db.prepare('SELECT count(*) FROM read_model_docs WHERE collection = ?').pluck().get(collection) as number;
  const committed = (collection: string): string[] =>
    observer.prepare('SELECT id FROM read_model_docs WHERE collection = ? ORDER BY id').pluck().all(collection) as string[];
  const refuse = (id: string): void => {
    const writer = new Database(file);
    writer.exec(`CREATE TRIGGER refuse_bad BEFORE INSERT ON read_model_docs WHEN NEW.id = '${id}' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    writer.close();
  };

  it('holds the rows until a statement of HELD_ROWS_PER_STATEMENT, and reads within the load see the held ones (by id, insert, find, count, ids)', async () => {
    const partners = store.collection<Partner>('partners', [['tenant']]);
    const others = store.collection<Partner>('others') as EmbeddedReadModelCollection<Partner>;
    await store.bulkLoad(async () => {
      for (let i = 0; i < HELD_ROWS_PER_STATEMENT - 1; i++) await partners.put({ _id: `p${String(i).padStart(3, '0')}`, tenant: `t${i % 2}`, name: `Partner ${i}` });
      await others.put({ _id: 'o1', tenant: 't1', name: 'Other' });
      // nothing written to the table yet
      expect(inTable('partners')).toBe(0);
      expect(await partners.get('p007')).toEqual({ _id: 'p007', tenant: 't1', name: 'Partner 7' });
      expect(await partners.insert({ _id: 'p007', tenant: 't1', name: 'Not again' })).toBe(false);
      // a later put of a held id replaces it (one row in the statement)
      await partners.put({ _id: 'p007', tenant: 't1', name: 'Renamed' });
      expect(await partners.get('p007')).toEqual({ _id: 'p007', tenant: 't1', name: 'Renamed' });
      expect(inTable('partners')).toBe(0);
      // a read other than by id writes the collection's held rows first, and only its own
      expect(await partners.count({ tenant: 't1' })).toBe(49);
      expect(inTable('partners')).toBe(HELD_ROWS_PER_STATEMENT - 1);
      expect(inTable('others')).toBe(0);
      expect(await others.ids('', 10)).toEqual(['o1']);
      expect(inTable('others')).toBe(1);

      // the HELD_ROWS_PER_STATEMENT-th held row writes them all in one go
      for (let i = 0; i < HELD_ROWS_PER_STATEMENT - 1; i++) await partners.put({ _id: `n${i}`, tenant: 't2', name: `New ${i}` });
      expect(inTable('partners')).toBe(HELD_ROWS_PER_STATEMENT - 1);
      expect((await partners.find({ filter: { tenant: 't2' }, sort: { _id: 1 }, limit: 2 })).items).toEqual([
        { _id: 'n0', tenant: 't2', name: 'New 0' },
        { _id: 'n1', tenant: 't2', name: 'New 1' },
      ]);
      for (let i = 0; i < HELD_ROWS_PER_STATEMENT; i++) await partners.put({ _id: `m${i}`, tenant: 't3', name: `More ${i}` });
      expect(inTable('partners')).toBe(3 * HELD_ROWS_PER_STATEMENT - 2);
      await partners.put({ _id: 'last', tenant: 't3', name: 'Last' });
      await partners.delete('n1');
      expect(await partners.get('n1')).toBeNull();
      expect(inTable('partners')).toBe(3 * HELD_ROWS_PER_STATEMENT - 2);
    });
    // the held rows were written before the commit; the load's end saw them all
    expect(committed('partners')).toHaveLength(3 * HELD_ROWS_PER_STATEMENT - 2);
    expect(committed('partners')).toContain('last');
    expect(await partners.get('p007')).toEqual({ _id: 'p007', tenant: 't1', name: 'Renamed' });
    expect(await partners.count({ tenant: 't3' })).toBe(HELD_ROWS_PER_STATEMENT + 1);
  });

  it('writes the held rows before the transaction commits, with the checkpoint saved in the same turn', async () => {
    const partners = store.collection<Partner>('partners');
    await store.bulkLoad(async () => {
      await partners.put({ _id: 'a', tenant: 't1', name: 'Acme' });
      await store.checkpointStore().save('partners-projection', 1);
      (store as unknown as { turn: { commit(): void } }).turn.commit();
      expect(committed('partners')).toEqual(['a']);
      expect(observer.prepare('SELECT position FROM read_model_checkpoints').pluck().get()).toBe(1);
    });
  });

  it('a row SQLite refuses fails the transaction at the read that writes it: nothing of the transaction is left, and the load fails', async () => {
    const partners = store.collection<Partner>('partners', [['tenant']]);
    await partners.put({ _id: 'before', tenant: 't1', name: 'Committed before' });
    await nextTurn();
    refuse('bad');
    const refused = { message: 'refused' };
    await expect(
      store.bulkLoad(async () => {
        await partners.put({ _id: 'a', tenant: 't1', name: 'Acme' });
        await store.checkpointStore().save('partners-projection', 1);
        // held: the put resolves, the refusal surfaces when the row is written
        await partners.put({ _id: 'bad', tenant: 't1', name: 'Refused' });
        await partners.put({ _id: 'c', tenant: 't1', name: 'Written with it' });
        await expect(partners.find({ filter: { tenant: 't1' } })).rejects.toMatchObject(refused);
        // the whole transaction was undone, its held rows and checkpoint with it
        expect(inTable('partners')).toBe(1);
        expect(await partners.get('a')).toBeNull();
        expect(await store.checkpointStore().load('partners-projection')).toBeNull();
      }),
    ).rejects.toMatchObject(refused);
    expect(committed('partners')).toEqual(['before']);
    await expect(store.ping()).rejects.toThrow(/a read-model commit failed/);
  });

  /** A searchable collection holding one committed row, with the row 'bad' refused by SQLite from now on. */
  const searchableWithRefusal = async () => {
    const partners = store.collection<Partner>('partners', [], { fields: ['name'], scope: ['tenant'] });
    await partners.put({ _id: 'before', tenant: 't1', name: 'Committed before' });
    await nextTurn();
    refuse('bad');
    return partners;
  };
  /** The file holds the committed row alone, and so does the search index. */
  const expectOnlyTheCommittedRow = async (partners: ReadModelCollection<Partner>) => {
    expect(committed('partners')).toEqual(['before']);
    expect(await partners.count(search('committed'))).toBe(1);
    expect(await partners.count(search('acme'))).toBe(0);
  };

  it('a row SQLite refuses when the held rows are written at a commit fails that commit and the load, and at the load end likewise', async () => {
    const partners = await searchableWithRefusal();
    await expect(
      store.bulkLoad(async () => {
        await partners.clear();
        await partners.put({ _id: 'a', tenant: 't1', name: 'Acme' });
        await partners.put({ _id: 'bad', tenant: 't1', name: 'Refused' });
        // the commit a load makes every so many writes
        (store as unknown as { turn: { commit(): void } }).turn.commit();
        expect(committed('partners')).toEqual(['before']);
        await expect(store.ping()).rejects.toThrow(/refused/);
      }),
    ).rejects.toMatchObject({ message: 'refused' });
    await expectOnlyTheCommittedRow(partners);
  });

  it('a row SQLite refuses at the load end fails the load, leaving the file as before it', async () => {
    const partners = await searchableWithRefusal();
    await expect(
      store.bulkLoad(async () => {
        await partners.clear();
        await partners.put({ _id: 'a', tenant: 't1', name: 'Acme' });
        await partners.put({ _id: 'bad', tenant: 't1', name: 'Refused' });
      }),
    ).rejects.toMatchObject({ message: 'refused' });
    await expectOnlyTheCommittedRow(partners);
  });

  it('after a clear in a load, a read by id finds what the load wrote since without asking SQLite for any other; a failed commit that undid the clear reads the committed rows again', async () => {
    const partners = store.collection<Partner>('partners', [['tenant']]) as EmbeddedReadModelCollection<Partner>;
    const table = (partners as unknown as { table: { getStatement: { get(...args: unknown[]): unknown } } }).table;
    await partners.put({ _id: 'before', tenant: 't1', name: 'Committed before' });
    await partners.put({ _id: 'kept', tenant: 't2', name: 'Committed too' });
    await nextTurn();
    refuse('bad');
    const asked = jest.spyOn(table.getStatement, 'get');
    await expect(
      store.bulkLoad(async () => {
        await partners.clear();
        expect(await partners.get('before')).toBeNull();
        expect(await partners.insert({ _id: 'kept', tenant: 't2', name: 'Inserted anew' })).toBe(true);
        expect(asked).not.toHaveBeenCalled();
        // past a statement's worth: in the table, no longer held, and read from it
        for (let i = 0; i < HELD_ROWS_PER_STATEMENT; i++) await partners.put({ _id: `p${i}`, tenant: 't1', name: `Partner ${i}` });
        expect(await partners.get('p3')).toEqual({ _id: 'p3', tenant: 't1', name: 'Partner 3' });
        expect(await partners.get('kept')).toEqual({ _id: 'kept', tenant: 't2', name: 'Inserted anew' });
        expect(asked).toHaveBeenCalledTimes(2);
        await partners.delete('p3');
        expect(await partners.get('p3')).toBeNull();
        expect(await partners.insert({ _id: 'kept', tenant: 't2', name: 'Not again' })).toBe(false);
        await partners.put({ _id: 'bad', tenant: 't1', name: 'Refused' });
        (store as unknown as { turn: { commit(): void } }).turn.commit();
        // the clear was undone with the rest: the committed rows are there again, and read
        expect(await partners.get('before')).toEqual({ _id: 'before', tenant: 't1', name: 'Committed before' });
        expect(await partners.get('kept')).toEqual({ _id: 'kept', tenant: 't2', name: 'Committed too' });
        expect(await partners.get('p4')).toBeNull();
      }),
    ).rejects.toMatchObject({ message: 'refused' });
    expect(committed('partners')).toEqual(['before', 'kept']);
    // after the load, every read asks SQLite again
    asked.mockClear();
    expect(await partners.get('p4')).toBeNull();
    expect(asked).toHaveBeenCalledTimes(1);
  });

  it('after a load that cleared a collection and ended well, every read by id asks SQLite again', async () => {
    const partners = store.collection<Partner>('partners') as EmbeddedReadModelCollection<Partner>;
    const table = (partners as unknown as { table: { getStatement: { get(...args: unknown[]): unknown } } }).table;
    await partners.put({ _id: 'before', tenant: 't1', name: 'Committed before' });
    await store.bulkLoad(async () => {
      await partners.clear();
      await partners.put({ _id: 'x', tenant: 't1', name: 'X' });
    });
    const asked = jest.spyOn(table.getStatement, 'get');
    expect(await partners.get('before')).toBeNull();
    expect(await partners.get('x')).toEqual({ _id: 'x', tenant: 't1', name: 'X' });
    expect(asked).toHaveBeenCalledTimes(2);
  });

  it('an index declared during the load is built over the held rows too (an array in its field found)', async () => {
    interface Tagged {
      readonly _id: string;
      readonly tags: string | string[];
    }
    const tagged = store.collection<Tagged>('tagged');
    await store.bulkLoad(async () => {
      await tagged.put({ _id: 'a', tags: ['x', 'y'] });
      await tagged.put({ _id: 'b', tags: 'x' });
      await tagged.put({ _id: 'c', tags: 'z' });
      const indexed = store.collection<Tagged>('tagged', [['tags']]);
      expect((await indexed.find({ filter: { tags: 'x' }, sort: { _id: 1 } })).items.map((doc) => doc._id)).toEqual(['a', 'b']);
    });
    expect((await tagged.find({ filter: { tags: 'x' }, sort: { _id: 1 } })).items.map((doc) => doc._id)).toEqual(['a', 'b']);
  });

  it('keys the kept search texts by the seq each row got, inserted and updated rows mixed in one statement', async () => {
    const partners = store.collection<Partner>('partners', [['tenant']], { fields: ['name'], scope: ['tenant'] });
    const filler = store.collection<Partner>('filler');
    await store.bulkLoad(async () => {
      await partners.clear();
      for (let i = 0; i < 30; i++) await partners.put({ _id: `p${i}`, tenant: 't1', name: `First ${i} Alpha` });
      await partners.count({ tenant: 't1' });
      // other rows take the next seqs, so a new row's seq is not where the statement's first one was
      for (let i = 0; i < 7; i++) await filler.put({ _id: `f${i}`, tenant: 't1', name: 'Filler' });
      await filler.count({});
      // one statement: updates of written rows (their seq kept, older than the new rows'), new rows between them, in an order unlike their seqs
      for (let i = 29; i >= 0; i -= 3) {
        await partners.put({ _id: `new${i}`, tenant: 't1', name: `Fresh ${i} Beta` });
        await partners.put({ _id: `p${i}`, tenant: 't1', name: `Changed ${i} Gamma` });
      }
    });
    const names = async (term: string) => (await partners.find({ filter: search(term), sort: { _id: 1 } })).items.map((doc) => doc.name);
    expect(await names('gamma')).toEqual(['Changed 11 Gamma', 'Changed 14 Gamma', 'Changed 17 Gamma', 'Changed 2 Gamma', 'Changed 20 Gamma', 'Changed 23 Gamma', 'Changed 26 Gamma', 'Changed 29 Gamma', 'Changed 5 Gamma', 'Changed 8 Gamma']);
    expect(await names('beta')).toHaveLength(10);
    expect(await names('fresh 17 beta')).toEqual(['Fresh 17 Beta']);
    expect(await names('alpha')).toHaveLength(20);
    expect(await names('first 29')).toEqual([]);
    expect(await names('first 28 alpha')).toEqual(['First 28 Alpha']);
    // each text's row is the document it was built from
    const db = (store as unknown as { db: Database.Database }).db;
    const mismatched = db
      .prepare("SELECT count(*) FROM read_model_search s JOIN read_model_docs d ON d.seq = s.rowid WHERE read_model_search MATCH 'Gamma' AND d.body NOT LIKE '%Gamma%'")
      .pluck()
      .get();
    expect(mismatched).toBe(0);
  });
});
