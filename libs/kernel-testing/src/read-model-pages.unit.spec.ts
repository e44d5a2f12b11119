import { deleteInPages, type ReadModelDocument } from '@as2-partners/kernel';
import { InMemoryReadModelStore } from './in-memory-read-model-store';

interface Doc extends ReadModelDocument {
  readonly tenant: string;
}

describe('deleteInPages', () => {
  it('deletes what the filter matches a page at a time, a turn between two pages, and says how many', async () => {
    const docs = new InMemoryReadModelStore().collection<Doc>('docs');
    for (let n = 0; n < 25; n++) await docs.put({ _id: `d${String(n).padStart(2, '0')}`, tenant: n % 5 === 0 ? 'kept' : 'gone' });
    const events: string[] = [];
    const deleteMany = docs.deleteMany.bind(docs);
    docs.deleteMany = async (filter) => {
      const deleted = await deleteMany(filter);
      events.push(`deleted ${deleted}`);
      return deleted;
    };

    expect(await deleteInPages(docs, { tenant: 'gone' }, 8, async () => void events.push('turn'))).toBe(20);

    expect(events).toEqual(['deleted 8', 'turn', 'deleted 8', 'turn', 'deleted 4']);
    expect((await docs.find({ filter: {}, sort: { _id: 1 } })).items.map((doc) => doc._id)).toEqual(['d00', 'd05', 'd10', 'd15', 'd20']);
    expect(await deleteInPages(docs, { tenant: 'gone' }, 8, async () => void events.push('turn'))).toBe(0);
  });
});
