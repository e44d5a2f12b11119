import { HELD_ROWS_PER_STATEMENT, type EmbeddedReadModelCollection } from './embedded-read-model-collection';
import { observedStorePerTest } from './observed-store.spec-support';
import type { ReadModelDocumentTable } from './read-model-document-table';

interface Partner {
  readonly _id: string;
  readonly tenant: string;
  readonly name: string | string[];
}

const search = (text: string) => ({ tenant: 't1', name: { $regex: text, $options: 'i' } });
const partner = (i: number, name = `Partner ${i} Trading`): Partner => ({ _id: `p${String(i).padStart(3, '0')}`, tenant: `t${i % 2}`, name });

describe('EmbeddedReadModelStore: the documents of one write in multi-row statements', () => {
  const observed = observedStorePerTest('read-model-multi-row-');

  /** The table's statements of `collection`, spied: multi-row upserts (with and without RETURNING) and single-row ones. */
  const statementsOf = (collection: EmbeddedReadModelCollection<Partner>) => {
    const table = (collection as unknown as { table: ReadModelDocumentTable }).table;
    return { many: jest.spyOn(table, 'upsertMany'), plain: jest.spyOn(table, 'plainUpsertMany'), one: jest.spyOn(table.upsertStatement, 'get') };
  };

  it('writes a searchable collection\'s documents HELD_ROWS_PER_STATEMENT a statement, each found by its search text, its kept count and first page kept up', async () => {
    const { store, observer } = observed();
    const views = store.collection<Partner>('views', [['tenant', 'name']], { fields: ['name'], scope: ['tenant'] }) as EmbeddedReadModelCollection<Partner>;
    await views.putMany([partner(0, 'Old Name'), partner(1, 'Old Name')]);
    // counts and a first page kept before the write take it in
    expect(await views.count({ tenant: 't1' })).toBe(1);
    expect((await views.find({ filter: { tenant: 't0' }, sort: { name: 1 }, limit: 2 })).items.map((doc) => doc._id)).toEqual(['p000']);
    const spied = statementsOf(views);

    await views.putMany(Array.from({ length: HELD_ROWS_PER_STATEMENT + 20 }, (_, i) => partner(i)));

    expect(spied.many.mock.calls).toEqual([[HELD_ROWS_PER_STATEMENT], [20]]);
    expect(spied.one).not.toHaveBeenCalled();
    expect(await views.count({ tenant: 't1' })).toBe(60);
    expect((await views.find({ filter: { tenant: 't0' }, sort: { name: 1 }, limit: 2 })).items.map((doc) => doc._id)).toEqual(['p000', 'p010']);
    expect(await views.count(search('trading'))).toBe(60);
    expect(await views.count(search('old name'))).toBe(0);
    // the trigram index holds each row's text (written at the commit), by the `seq` the statement returned
    await store.committed();
    const indexed = (term: string) => observer.prepare('SELECT d.id FROM read_model_search s JOIN read_model_docs d ON d.seq = s.rowid WHERE read_model_search MATCH ? ORDER BY 1').pluck().all(`"${term}"`);
    expect(indexed('Trading')).toHaveLength(HELD_ROWS_PER_STATEMENT + 20);
    expect(indexed('Partner 101 ')).toEqual(['p101']);
    expect(indexed('Old Name')).toEqual([]);
    expect((await views.find({ filter: search('partner 101 ') })).items).toEqual([partner(101)]);
  });

  it('writes a collection without search without reading the rows back; a field made an array is known irregular', async () => {
    const { store, observer } = observed();
    const plain = store.collection<Partner>('plain', [['name']]) as EmbeddedReadModelCollection<Partner>;
    const spied = statementsOf(plain);

    await plain.putMany([partner(1), { ...partner(2), name: ['Two', 'Names'] }, partner(3)]);

    expect(spied.plain.mock.calls).toEqual([[3]]);
    expect(spied.many).not.toHaveBeenCalled();
    expect(spied.one).not.toHaveBeenCalled();
    expect((await plain.find({ filter: { name: 'Names' } })).items).toEqual([{ ...partner(2), name: ['Two', 'Names'] }]);
    await store.committed();
    expect(observer.prepare("SELECT path FROM read_model_irregular_paths WHERE collection = 'plain'").pluck().all()).toEqual(['name']);
  });

  it('writes an id repeated in one write a statement a row, in order: the last one stays', async () => {
    const { store } = observed();
    const views = store.collection<Partner>('views', [['tenant']], { fields: ['name'], scope: ['tenant'] }) as EmbeddedReadModelCollection<Partner>;
    const spied = statementsOf(views);

    await views.putMany([partner(1, 'First Globex'), partner(3), partner(1, 'Second Initech')]);

    expect(spied.many).not.toHaveBeenCalled();
    expect(spied.one).toHaveBeenCalledTimes(3);
    expect(await views.get('p001')).toEqual(partner(1, 'Second Initech'));
    expect(await views.count(search('initech'))).toBe(1);
    expect(await views.count(search('globex'))).toBe(0);
  });
});
