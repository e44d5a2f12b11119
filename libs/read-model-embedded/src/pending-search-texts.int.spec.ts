import type Database from 'better-sqlite3';
import { observedStorePerTest } from './observed-store.spec-support';

interface View {
  readonly _id: string;
  readonly tenant: string;
  readonly name: string;
}

const SEARCH = { fields: ['name'], scope: ['tenant'] };
const named = (text: string) => ({ tenant: 't', name: { $regex: text, $options: 'i' } });

/** The trigram index's rows matching `term` as committed, each with the document it stands for (null: no document has its `seq`). */
function committedMatches(observer: Database.Database, term: string): (string | null)[] {
  return observer
    .prepare('SELECT d.id FROM read_model_search s LEFT JOIN read_model_docs d ON d.seq = s.rowid WHERE read_model_search MATCH ? ORDER BY s.rowid')
    .pluck()
    .all(`"${term}"`) as (string | null)[];
}

// The search texts of a transaction's writes are held until it commits (or the index is read), then written at once.
describe('EmbeddedReadModelStore pending search texts', () => {
  const observed = observedStorePerTest('read-model-search-texts-');

  it("puts a turn's search texts in one segment of the trigram index, whatever savepoints the turn's other writes took", async () => {
    const { store, observer } = observed();
    const views = store.collection<View>('views', [['tenant']], SEARCH);
    const plain = store.collection<View>('plain', [['tenant']]);
    // one turn: a searchable document, then two documents of another collection in one savepoint, 63 times
    for (let i = 0; i < 63; i++) {
      void views.put({ _id: `v${i}`, tenant: 't', name: `Partner ${i} Trading` });
      void plain.putMany([{ _id: `a${i}`, tenant: 't', name: 'A' }, { _id: `b${i}`, tenant: 't', name: 'B' }]);
    }
    await store.committed();
    expect(observer.prepare('SELECT count(DISTINCT segid) FROM read_model_search_idx').pluck().get()).toBe(1);
    expect(committedMatches(observer, 'Trading')).toHaveLength(63);
    expect(await views.count(named('partner 62 trading'))).toBe(1);
  });

  it("a search within the turn finds the turn's writes, deletes and rewrites, and the committed index holds their last state only", async () => {
    const { store, observer } = observed();
    const views = store.collection<View>('views', [['tenant']], SEARCH);
    await views.put({ _id: 'kept', tenant: 't', name: 'Acme Kept' });
    await store.committed();

    await views.put({ _id: 'renamed', tenant: 't', name: 'Acme Before' });
    await views.put({ _id: 'renamed', tenant: 't', name: 'Globex After' });
    await views.put({ _id: 'gone', tenant: 't', name: 'Acme Gone' });
    await views.delete('gone');
    await views.delete('kept');
    await views.put({ _id: 'new', tenant: 't', name: 'Acme New' });
    expect((await views.find({ filter: named('acme'), sort: { _id: 1 } })).items.map((view) => view._id)).toEqual(['new']);
    expect(await views.count(named('globex'))).toBe(1);
    // a write after that search is held again, and found by the next one
    await views.put({ _id: 'later', tenant: 't', name: 'Acme Later' });
    expect(await views.count(named('acme'))).toBe(2);

    await store.committed();
    expect(committedMatches(observer, 'Acme')).toEqual(['new', 'later']);
    expect(committedMatches(observer, 'Globex')).toEqual(['renamed']);
    expect(committedMatches(observer, 'Before')).toEqual([]);
  });

  it('a write undone by its savepoint takes its search texts back; the rest of the turn keeps its own', async () => {
    const { store, observer } = observed();
    const views = store.collection<View>('views', [['tenant']], SEARCH);
    (store as unknown as { db: Database.Database }).db.exec("CREATE TRIGGER refuse_bad BEFORE INSERT ON read_model_docs WHEN NEW.id = 'bad' BEGIN SELECT RAISE(ABORT, 'refused'); END");
    await views.put({ _id: 'a', tenant: 't', name: 'Acme Written' });
    await expect(
      views.putMany([
        { _id: 'a', tenant: 't', name: 'Acme Renamed First' },
        { _id: 'c', tenant: 't', name: 'Initech Written First' },
        { _id: 'bad', tenant: 't', name: 'Then Refused' },
      ]),
    ).rejects.toMatchObject({ message: 'refused' });
    await views.put({ _id: 'b', tenant: 't', name: 'Globex Written' });
    expect(await views.count(named('written'))).toBe(2);

    await store.committed();
    expect(committedMatches(observer, 'Written')).toEqual(['a', 'b']);
    expect(committedMatches(observer, 'First')).toEqual([]);
    expect(committedMatches(observer, 'Refused')).toEqual([]);
  });
});
