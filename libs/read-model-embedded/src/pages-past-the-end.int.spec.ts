import type { ReadModelDocument } from '@as2-partners/kernel';
import type { EmbeddedReadModelCollection } from './embedded-read-model-collection';
import { EmbeddedReadModelStore } from './embedded-read-model-store';
import { preparedSqlOf } from './prepared-sql.spec-support';

type Event = ReadModelDocument & { readonly partnerId: string; readonly position: number };

/**
 * A page past the end of an exact query in descending order (no page boundaries to seek from) is answered from the kept
 * count, without walking the index to its offset: `?page=900000` of a partner's timeline cost a step over each of its events.
 */
describe('EmbeddedReadModelStore pages past the end', () => {
  let store: EmbeddedReadModelStore;
  let events: EmbeddedReadModelCollection<Event>;
  const query = (skip: number) => ({ filter: { partnerId: 'p1' }, sort: { position: -1, _id: -1 } as const, skip, limit: 20 });

  beforeEach(async () => {
    store = await EmbeddedReadModelStore.open(':memory:');
    events = store.collection<Event>('events', [['partnerId', 'position', '_id']]) as EmbeddedReadModelCollection<Event>;
    await events.putMany(Array.from({ length: 500 }, (_, i) => ({ _id: `e${String(i).padStart(4, '0')}`, partnerId: i % 5 === 0 ? 'p2' : 'p1', position: i + 1 })));
  });
  afterEach(() => store.close());

  it('reads nothing once the count is kept, and follows the writes that change it', async () => {
    expect((await events.find(query(0))).total).toBe(400);
    const ran = preparedSqlOf(events);
    expect(await events.find(query(18_000_000))).toEqual({ items: [], total: 400 });
    expect(ran).toEqual([]);

    await events.put({ _id: 'e9999', partnerId: 'p1', position: 10_000 });
    expect(await events.find(query(401))).toEqual({ items: [], total: 401 });
    expect(ran).toEqual([]);
    // the last page is still read, in order
    const p1 = ['e9999', ...Array.from({ length: 500 }, (_, i) => 499 - i).filter((i) => i % 5 !== 0).map((i) => `e${String(i).padStart(4, '0')}`)];
    expect((await events.find(query(390))).items.map((doc) => doc._id)).toEqual(p1.slice(390));
  });
});
