import { escapeRegex, type CheckpointStore, type ReadModelCollection, type ReadModelDocument, type ReadModelStore, type SearchIndex } from '@as2-partners/kernel';

/** What an adapter's contract spec hands the suite: one store for the whole suite, released at the end. */
export interface ReadModelStoreFixture {
  readonly store: ReadModelStore;
  readonly checkpoints: CheckpointStore;
  /** Closes the store and removes what the suite wrote (temp files, the test database). */
  dispose(): Promise<void>;
}

interface Partner extends ReadModelDocument {
  readonly name: string;
  readonly status?: string | null;
  readonly score?: number;
  readonly active?: boolean;
  readonly tags?: readonly string[];
  readonly address?: { readonly city: string; readonly country: string };
}

const partners: readonly Partner[] = [
  { _id: 'p1', name: 'Acme Corp', status: 'active', score: 10, active: true, tags: ['edi', 'retail'], address: { city: 'Paris', country: 'FR' } },
  { _id: 'p2', name: 'Globex', status: 'suspended', score: 2.5, active: false, tags: ['edi'], address: { city: 'Berlin', country: 'DE' } },
  { _id: 'p3', name: 'Initech a.b(c)*', status: 'active', score: -1, active: true, tags: [], address: { city: 'Lyon', country: 'FR' } },
  { _id: 'p4', name: 'Umbrella Alba', status: null, score: 0, active: false, address: { city: 'Paris', country: 'FR' } },
  { _id: 'p5', name: 'Hooli', score: 10 },
];

const ids = (docs: readonly ReadModelDocument[]): string[] => docs.map((d) => d._id);

/**
 * The behaviour every ReadModelStore adapter shares, so a query written once next to its projection runs
 * the same on MongoDB and on the embedded store.
 *
 * Queries that page should end their sort with `_id` (e.g. `{ name: 1, _id: 1 }`) so ties have one order;
 * adapters also append `_id: 1` when a sort lacks it, which this suite checks.
 * Documents are JSON: strings (dates as ISO strings), finite numbers, booleans, null, arrays and objects;
 * field names contain no '.' and do not start with '$'; a field set to `undefined` is not stored.
 */
export function readModelStoreContract(name: string, factory: () => Promise<ReadModelStoreFixture>): void {
  describe(`ReadModelStore contract: ${name}`, () => {
    let fixture: ReadModelStoreFixture;
    let sequence = 0;
    const run = Math.random().toString(36).slice(2, 8);

    beforeAll(async () => {
      fixture = await factory();
    });

    afterAll(async () => {
      await fixture?.dispose();
    });

    /** A fresh collection per test keeps tests independent while sharing one store (and one server connection). */
    function fresh<T extends ReadModelDocument>(indexes?: readonly (readonly string[])[], search?: SearchIndex): ReadModelCollection<T> {
      sequence += 1;
      return fixture.store.collection<T>(`contract_${run}_${sequence}`, indexes, search);
    }

    async function seeded(): Promise<ReadModelCollection<Partner>> {
      const collection = fresh<Partner>([['status'], ['address.city', '_id']]);
      await collection.putMany(partners);
      return collection;
    }

    describe('writes and reads by id', () => {
      it('returns null for a missing id', async () => {
        expect(await fresh<Partner>().get('nope')).toBeNull();
      });

      it('put inserts a document that get returns', async () => {
        const collection = fresh<Partner>();
        await collection.put(partners[0]);
        expect(await collection.get('p1')).toEqual(partners[0]);
      });

      it('put replaces the whole document: fields left out disappear', async () => {
        const collection = fresh<Partner>();
        await collection.put(partners[0]);
        await collection.put({ _id: 'p1', name: 'Acme Renamed' });
        expect(await collection.get('p1')).toEqual({ _id: 'p1', name: 'Acme Renamed' });
        expect(await collection.count({})).toBe(1);
      });

      it('putMany inserts new documents and replaces existing ones', async () => {
        const collection = fresh<Partner>();
        await collection.put({ _id: 'p1', name: 'old', score: 1 });
        await collection.putMany([{ _id: 'p1', name: 'new' }, partners[1]]);
        expect(await collection.get('p1')).toEqual({ _id: 'p1', name: 'new' });
        expect(await collection.get('p2')).toEqual(partners[1]);
        expect(await collection.count({})).toBe(2);
      });

      it('putMany with no documents changes nothing', async () => {
        const collection = await seeded();
        await collection.putMany([]);
        expect(await collection.count({})).toBe(partners.length);
      });

      it('delete removes one document and ignores a missing id', async () => {
        const collection = await seeded();
        await collection.delete('p2');
        await collection.delete('never-there');
        expect(await collection.get('p2')).toBeNull();
        expect(await collection.count({})).toBe(partners.length - 1);
      });

      it('deleteMany removes the matching documents and says how many', async () => {
        const collection = await seeded();
        expect(await collection.deleteMany({ 'address.city': 'Paris' })).toBe(2);
        expect(await collection.deleteMany({ 'address.city': 'Paris' })).toBe(0);
        expect(ids((await collection.find({ filter: {}, sort: { _id: 1 } })).items)).toEqual(['p2', 'p3', 'p5']);
      });

      it('count counts the documents matching a filter', async () => {
        const collection = await seeded();
        expect(await collection.count({})).toBe(5);
        expect(await collection.count({ status: 'active' })).toBe(2);
        expect(await collection.count({ status: 'gone' })).toBe(0);
      });

      it('clear removes every document of the collection only', async () => {
        const collection = await seeded();
        const other = await seeded();
        await collection.clear();
        expect(await collection.count({})).toBe(0);
        expect(await collection.get('p1')).toBeNull();
        expect(await other.count({})).toBe(partners.length);
      });

      it('collections are isolated: the same id lives independently in two collections', async () => {
        const first = fresh<Partner>();
        const second = fresh<Partner>();
        await first.put({ _id: 'x', name: 'first' });
        await second.put({ _id: 'x', name: 'second' });
        await first.delete('x');
        expect(await first.get('x')).toBeNull();
        expect(await second.get('x')).toEqual({ _id: 'x', name: 'second' });
      });

      it('the same collection name gives the same data', async () => {
        const collection = fresh<Partner>();
        await collection.put(partners[0]);
        const again = fixture.store.collection<Partner>(`contract_${run}_${sequence}`);
        expect(await again.get('p1')).toEqual(partners[0]);
      });

      it('a returned document is a copy: changing it does not change the stored one', async () => {
        const collection = await seeded();
        const doc = (await collection.get('p1')) as { name: string; address: { city: string } };
        doc.name = 'mutated';
        doc.address.city = 'mutated';
        const page = await collection.find({ filter: { _id: 'p1' } });
        (page.items[0] as { name: string }).name = 'mutated';
        expect(await collection.get('p1')).toEqual(partners[0]);
      });
    });

    describe('documents round-trip exactly', () => {
      it('keeps unicode strings, nested arrays and objects, numbers, booleans, null and ISO date strings', async () => {
        const collection = fresh<ReadModelDocument & Record<string, unknown>>();
        const doc = {
          _id: 'prt_01HZZ-ünïcødé-😀',
          name: 'Zürich – 東京 – 😀 – \u00e9 vs e\u0301',
          createdAt: '2024-02-29T23:59:59.123Z',
          date: '2024-02-29',
          empty: '',
          whitespace: '  padded\ttab\nline  ',
          integer: 42,
          negative: -7,
          float: 0.1 + 0.2,
          large: 2 ** 53 - 1,
          zero: 0,
          yes: true,
          no: false,
          nothing: null,
          emptyArray: [],
          emptyObject: {},
          nested: { level1: { level2: { values: [1, 'two', null, false, { three: [3] }] } } },
          matrix: [
            [1, 2],
            [3, [4, 5]],
          ],
          certificates: [{ fingerprint: 'AB:CD', usages: ['signing', 'encryption'], notAfter: '2030-01-01T00:00:00.000Z' }],
        };
        await collection.put(doc);
        const loaded = await collection.get(doc._id);
        expect(loaded).toEqual(doc);
        expect(typeof loaded?.['createdAt']).toBe('string');
        expect((await collection.find({ filter: { _id: doc._id } })).items).toEqual([doc]);
      });

      it('does not store a field set to undefined', async () => {
        const collection = fresh<ReadModelDocument & Record<string, unknown>>();
        await collection.put({ _id: 'u', name: 'x', missing: undefined });
        const loaded = await collection.get('u');
        expect(loaded).toEqual({ _id: 'u', name: 'x' });
        expect(loaded && 'missing' in loaded).toBe(false);
        expect(await collection.count({ missing: { $exists: true } })).toBe(0);
      });
    });

    describe('documents are JSON', () => {
      it('stores a Date as its ISO string, as JSON does', async () => {
        const collection = fresh<ReadModelDocument & Record<string, unknown>>();
        await collection.put({ _id: 'd', at: new Date('2024-05-06T07:08:09.010Z'), nested: [{ at: new Date(0) }] });
        expect(await collection.get('d')).toEqual({ _id: 'd', at: '2024-05-06T07:08:09.010Z', nested: [{ at: '1970-01-01T00:00:00.000Z' }] });
      });
    });

    describe('find filters', () => {
      const matching = async (filter: Record<string, unknown>): Promise<string[]> => {
        const collection = await seeded();
        return ids((await collection.find({ filter, sort: { _id: 1 } })).items);
      };

      it('an empty filter matches everything', async () => {
        expect(await matching({})).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
      });

      it('equality on a field and on _id', async () => {
        expect(await matching({ status: 'active' })).toEqual(['p1', 'p3']);
        expect(await matching({ _id: 'p4' })).toEqual(['p4']);
        expect(await matching({ status: 'active', score: 10 })).toEqual(['p1']);
      });

      it('dotted paths reach into nested objects', async () => {
        expect(await matching({ 'address.city': 'Paris' })).toEqual(['p1', 'p4']);
        expect(await matching({ 'address.country': 'FR', 'address.city': { $ne: 'Paris' } })).toEqual(['p3']);
      });

      it('equality on an array field matches an element', async () => {
        expect(await matching({ tags: 'retail' })).toEqual(['p1']);
        expect(await matching({ tags: { $in: ['edi'] } })).toEqual(['p1', 'p2']);
      });

      it('$in and $nin', async () => {
        expect(await matching({ status: { $in: ['suspended', 'active'] } })).toEqual(['p1', 'p2', 'p3']);
        expect(await matching({ _id: { $in: [] } })).toEqual([]);
        // $nin also matches documents without the field, as MongoDB does
        expect(await matching({ status: { $nin: ['active', 'suspended'] } })).toEqual(['p4', 'p5']);
      });

      it('$ne matches documents where the field differs or is missing', async () => {
        expect(await matching({ status: { $ne: 'active' } })).toEqual(['p2', 'p4', 'p5']);
      });

      it('$gt $gte $lt $lte on numbers', async () => {
        expect(await matching({ score: { $gt: 2.5 } })).toEqual(['p1', 'p5']);
        expect(await matching({ score: { $gte: 2.5 } })).toEqual(['p1', 'p2', 'p5']);
        expect(await matching({ score: { $lt: 0 } })).toEqual(['p3']);
        expect(await matching({ score: { $lte: 0 } })).toEqual(['p3', 'p4']);
        expect(await matching({ score: { $gt: -1, $lt: 10 } })).toEqual(['p2', 'p4']);
      });

      it('$gt $lt on strings compare ISO dates as text', async () => {
        const collection = fresh<ReadModelDocument & { at: string }>();
        await collection.putMany([
          { _id: 'a', at: '2024-01-01T00:00:00.000Z' },
          { _id: 'b', at: '2024-06-01T00:00:00.000Z' },
          { _id: 'c', at: '2025-01-01T00:00:00.000Z' },
        ]);
        const page = await collection.find({ filter: { at: { $gte: '2024-03-01', $lt: '2025-01-01T00:00:00.000Z' } } });
        expect(ids(page.items)).toEqual(['b']);
      });

      it('$exists', async () => {
        expect(await matching({ status: { $exists: true } })).toEqual(['p1', 'p2', 'p3', 'p4']);
        expect(await matching({ status: { $exists: false } })).toEqual(['p5']);
        expect(await matching({ 'address.city': { $exists: false } })).toEqual(['p5']);
      });

      it('null matches a null value and a missing field', async () => {
        expect(await matching({ status: null })).toEqual(['p4', 'p5']);
        expect(await matching({ status: { $ne: null } })).toEqual(['p1', 'p2', 'p3']);
      });

      it('booleans', async () => {
        expect(await matching({ active: true })).toEqual(['p1', 'p3']);
        expect(await matching({ active: false })).toEqual(['p2', 'p4']);
        expect(await matching({ active: { $ne: true } })).toEqual(['p2', 'p4', 'p5']);
      });

      it('$and and $or, nested', async () => {
        expect(await matching({ $or: [{ status: 'suspended' }, { score: { $lt: 0 } }] })).toEqual(['p2', 'p3']);
        expect(await matching({ $and: [{ 'address.country': 'FR' }, { score: { $gte: 0 } }] })).toEqual(['p1', 'p4']);
        expect(
          await matching({ $and: [{ $or: [{ active: true }, { status: null }] }, { $or: [{ 'address.city': 'Paris' }, { score: 10 }] }] }),
        ).toEqual(['p1', 'p4', 'p5']);
      });

      it('$regex with $options i searches case-insensitively for a substring', async () => {
        expect(await matching({ name: { $regex: escapeRegex('ACME'), $options: 'i' } })).toEqual(['p1']);
        expect(await matching({ name: { $regex: escapeRegex('o'), $options: 'i' } })).toEqual(['p1', 'p2', 'p5']);
        expect(await matching({ name: { $regex: '^glo', $options: 'i' } })).toEqual(['p2']);
      });

      it('$regex with escaped user text matches it literally', async () => {
        expect(await matching({ name: { $regex: escapeRegex('a.b(c)*'), $options: 'i' } })).toEqual(['p3']);
        expect(await matching({ name: { $regex: escapeRegex('A.B(C)*'), $options: 'i' } })).toEqual(['p3']);
        // unescaped, the same text is a pattern that matches other names too
        expect(await matching({ name: { $regex: escapeRegex('a.b'), $options: 'i' } })).toEqual(['p3']);
        expect(await matching({ name: { $regex: 'a.b', $options: 'i' } })).toEqual(['p3', 'p4']);
      });

      it('$regex searches several fields with $or and handles unicode text', async () => {
        const collection = fresh<ReadModelDocument & { name: string; as2Id: string }>();
        await collection.putMany([
          { _id: 'a', name: 'Zürich Trading', as2Id: 'ZUR-01' },
          { _id: 'b', name: 'Bern Logistics', as2Id: 'BRN-zür' },
          { _id: 'c', name: 'Geneva', as2Id: 'GVA' },
        ]);
        const term = escapeRegex('zür');
        const page = await collection.find({
          filter: { $or: [{ name: { $regex: term, $options: 'i' } }, { as2Id: { $regex: term, $options: 'i' } }] },
          sort: { _id: 1 },
        });
        expect(ids(page.items)).toEqual(['a', 'b']);
      });
    });

    describe('find sorting', () => {
      it('sorts on one key in both directions', async () => {
        const collection = await seeded();
        expect(ids((await collection.find({ filter: { 'address.country': 'FR' }, sort: { name: 1 } })).items)).toEqual(['p1', 'p3', 'p4']);
        expect(ids((await collection.find({ filter: {}, sort: { _id: -1 } })).items)).toEqual(['p5', 'p4', 'p3', 'p2', 'p1']);
      });

      it('sorts on several keys with mixed directions', async () => {
        const collection = await seeded();
        const page = await collection.find({ filter: { score: { $exists: true } }, sort: { score: -1, name: 1 } });
        expect(ids(page.items)).toEqual(['p1', 'p5', 'p2', 'p4', 'p3']);
        const byCity = await collection.find({ filter: { 'address.city': { $exists: true } }, sort: { 'address.city': 1, _id: -1 } });
        expect(ids(byCity.items)).toEqual(['p2', 'p3', 'p4', 'p1']);
      });

      it('breaks ties by _id, given last or not given', async () => {
        const collection = fresh<ReadModelDocument & { group: number }>();
        await collection.putMany(['e', 'b', 'd', 'a', 'c', 'f'].map((id, i) => ({ _id: id, group: i % 2 })));
        expect(ids((await collection.find({ filter: {}, sort: { group: 1, _id: 1 } })).items)).toEqual(['c', 'd', 'e', 'a', 'b', 'f']);
        expect(ids((await collection.find({ filter: {}, sort: { group: -1, _id: -1 } })).items)).toEqual(['f', 'b', 'a', 'e', 'd', 'c']);
        expect(ids((await collection.find({ filter: {}, sort: { group: 1 } })).items)).toEqual(['c', 'd', 'e', 'a', 'b', 'f']);
      });

      it('sorts strings by code point (no collation): upper case before lower case, astral characters last', async () => {
        const names = ['b', 'B', 'a', 'é', 'Z', '😀', '\uff5e', 'ab', 'A'];
        const collection = fresh<ReadModelDocument & { name: string }>();
        await collection.putMany(names.map((name, i) => ({ _id: `n${i}`, name })));
        const page = await collection.find({ filter: {}, sort: { name: 1 } });
        expect(page.items.map((d) => d.name)).toEqual(['A', 'B', 'Z', 'a', 'ab', 'b', 'é', '\uff5e', '😀']);
      });

      it('sorts numbers numerically, integers and decimals together', async () => {
        const collection = fresh<ReadModelDocument & { n: number }>();
        await collection.putMany([10, 2, -1, 2.5, 0, 100, -0.5].map((n, i) => ({ _id: `n${i}`, n })));
        const page = await collection.find({ filter: {}, sort: { n: 1 } });
        expect(page.items.map((d) => d.n)).toEqual([-1, -0.5, 0, 2, 2.5, 10, 100]);
      });

      it('sorts booleans false before true', async () => {
        const collection = await seeded();
        const page = await collection.find({ filter: { active: { $exists: true } }, sort: { active: 1, _id: 1 } });
        expect(ids(page.items)).toEqual(['p2', 'p4', 'p1', 'p3']);
      });

      it('puts null and missing values first ascending and last descending', async () => {
        const collection = await seeded();
        expect(ids((await collection.find({ filter: {}, sort: { status: 1, _id: 1 } })).items)).toEqual(['p4', 'p5', 'p1', 'p3', 'p2']);
        expect(ids((await collection.find({ filter: {}, sort: { status: -1, _id: 1 } })).items)).toEqual(['p2', 'p1', 'p3', 'p4', 'p5']);
      });
    });

    describe('find paging', () => {
      it('skip and limit page through the results; total is the count before paging', async () => {
        const collection = await seeded();
        const sort = { _id: 1 } as const;
        const first = await collection.find({ filter: {}, sort, limit: 2 });
        const second = await collection.find({ filter: {}, sort, skip: 2, limit: 2 });
        const last = await collection.find({ filter: {}, sort, skip: 4, limit: 2 });
        expect(ids(first.items)).toEqual(['p1', 'p2']);
        expect(ids(second.items)).toEqual(['p3', 'p4']);
        expect(ids(last.items)).toEqual(['p5']);
        expect([first.total, second.total, last.total]).toEqual([5, 5, 5]);
      });

      it('total counts only matching documents', async () => {
        const collection = await seeded();
        const page = await collection.find({ filter: { 'address.country': 'FR' }, sort: { _id: 1 }, limit: 1 });
        expect(ids(page.items)).toEqual(['p1']);
        expect(page.total).toBe(3);
      });

      it('skip past the end gives no items and the full total', async () => {
        const collection = await seeded();
        const page = await collection.find({ filter: {}, sort: { _id: 1 }, skip: 50, limit: 10 });
        expect(page).toEqual({ items: [], total: 5 });
      });

      it('skip without limit returns the rest', async () => {
        const collection = await seeded();
        const page = await collection.find({ filter: {}, sort: { _id: 1 }, skip: 3 });
        expect(ids(page.items)).toEqual(['p4', 'p5']);
        expect(page.total).toBe(5);
      });

      it('no match gives an empty page', async () => {
        const collection = await seeded();
        expect(await collection.find({ filter: { status: 'unknown' }, sort: { _id: 1 }, limit: 10 })).toEqual({ items: [], total: 0 });
      });
    });

    describe('indexed fields', () => {
      type Row = ReadModelDocument & { group?: string; value?: unknown; at?: string };

      it('an equality on indexed fields pages in index order, with the total of every match', async () => {
        const collection = fresh<Row>([['group', 'at']]);
        await collection.putMany(
          Array.from({ length: 30 }, (_, i) => ({ _id: `r${String(i).padStart(2, '0')}`, group: i % 3 === 0 ? 'a' : 'b', at: `2024-01-${String(30 - i).padStart(2, '0')}` })),
        );
        const page = await collection.find({ filter: { group: 'a' }, sort: { at: 1 }, skip: 2, limit: 3 });
        expect(ids(page.items)).toEqual(['r21', 'r18', 'r15']);
        expect(page.total).toBe(10);
        const last = await collection.find({ filter: { group: 'a' }, sort: { at: -1 }, skip: 8, limit: 5 });
        expect(ids(last.items)).toEqual(['r24', 'r27']);
        expect(last.total).toBe(10);
        expect(await collection.find({ filter: { group: 'a' }, sort: { at: 1 }, skip: 10, limit: 5 })).toEqual({ items: [], total: 10 });
        expect(await collection.count({ group: 'b' })).toBe(20);
      });

      it('tells booleans, numbers and strings apart in an indexed field, and sorts them as MongoDB does', async () => {
        const collection = fresh<Row>([['value']]);
        await collection.putMany([
          { _id: 't', value: true },
          { _id: 'one', value: 1 },
          { _id: 'text', value: '1' },
          { _id: 'f', value: false },
          { _id: 'zero', value: 0 },
          { _id: 'null', value: null },
          { _id: 'missing' },
          { _id: 'half', value: 0.5 },
        ]);
        const matching = async (value: unknown): Promise<string[]> => ids((await collection.find({ filter: { value }, sort: { _id: 1 } })).items);
        expect(await matching(true)).toEqual(['t']);
        expect(await matching(1)).toEqual(['one']);
        expect(await matching('1')).toEqual(['text']);
        expect(await matching(false)).toEqual(['f']);
        expect(await matching(0)).toEqual(['zero']);
        expect(await matching(null)).toEqual(['missing', 'null']);
        expect(ids((await collection.find({ filter: {}, sort: { value: 1, _id: 1 } })).items)).toEqual(['missing', 'null', 'zero', 'half', 'one', 'text', 'f', 't']);
        expect(ids((await collection.find({ filter: {}, sort: { value: -1, _id: 1 } })).items)).toEqual(['t', 'f', 'text', 'one', 'half', 'zero', 'missing', 'null']);
      });

      it('ranges, $in and $ne null on an indexed field keep to the bound\'s type', async () => {
        const collection = fresh<Row>([['value']]);
        await collection.putMany([
          { _id: 'n1', value: 1 },
          { _id: 'n5', value: 5 },
          { _id: 's1', value: '2024-01-01' },
          { _id: 's2', value: '2025-01-01' },
          { _id: 'b', value: true },
          { _id: 'null', value: null },
          { _id: 'missing' },
        ]);
        const matching = async (filter: Record<string, unknown>): Promise<string[]> => ids((await collection.find({ filter, sort: { _id: 1 } })).items);
        expect(await matching({ value: { $gt: 0 } })).toEqual(['n1', 'n5']);
        expect(await matching({ value: { $lte: 5 } })).toEqual(['n1', 'n5']);
        expect(await matching({ value: { $gte: '2024', $lt: '2025' } })).toEqual(['s1']);
        expect(await matching({ value: { $gt: '' } })).toEqual(['s1', 's2']);
        expect(await matching({ value: { $lt: '9' } })).toEqual(['s1', 's2']);
        expect(await matching({ value: { $in: [5, '2025-01-01', true] } })).toEqual(['b', 'n5', 's2']);
        expect(await matching({ value: { $ne: null } })).toEqual(['b', 'n1', 'n5', 's1', 's2']);
        expect(await matching({ value: { $ne: null, $lte: '2024-06-01' } })).toEqual(['s1']);
        expect(await matching({ _id: { $in: ['n1', 'missing', 'nope'] } })).toEqual(['missing', 'n1']);
      });

      it('an indexed field holding an array still matches by element, before and after the document changes', async () => {
        const collection = fresh<Row>([['group'], ['value']]);
        await collection.putMany([
          { _id: 'a', group: 'x', value: 'edi' },
          { _id: 'b', group: 'x', value: ['edi', 'retail'] },
          { _id: 'c', group: 'y', value: { nested: 'edi' } },
        ]);
        expect(ids((await collection.find({ filter: { value: 'edi' }, sort: { _id: 1 } })).items)).toEqual(['a', 'b']);
        expect(await collection.count({ value: 'retail' })).toBe(1);
        await collection.put({ _id: 'b', group: 'x', value: 'retail' });
        expect(ids((await collection.find({ filter: { value: 'edi' }, sort: { _id: 1 } })).items)).toEqual(['a']);
        expect(ids((await collection.find({ filter: { group: 'x' }, sort: { value: 1 } })).items)).toEqual(['a', 'b']);
      });
    });

    describe('substring search on declared fields', () => {
      type Named = ReadModelDocument & { tenant: string; name: string; as2Id: string; note?: string };
      const search: SearchIndex = { fields: ['name', 'as2Id'], scope: ['tenant'] };
      const searchFor = (tenant: string, text: string) => {
        const pattern = { $regex: escapeRegex(text), $options: 'i' };
        return { $and: [{ tenant }, { $or: [{ name: pattern }, { as2Id: pattern }] }] };
      };

      async function named(): Promise<ReadModelCollection<Named>> {
        const collection = fresh<Named>([['tenant', 'name']], search);
        await collection.putMany([
          { _id: 'n1', tenant: 't1', name: 'Acme Trading', as2Id: 'ACME-01' },
          { _id: 'n2', tenant: 't1', name: 'Globex "Quoted" (a.b)*', as2Id: 'GLX' },
          { _id: 'n3', tenant: 't1', name: 'Zürich Logistics', as2Id: 'zur-acme' },
          { _id: 'n4', tenant: 't2', name: 'Acme Other Tenant', as2Id: 'ACME-02' },
          { _id: 'n5', tenant: 't1', name: 'Initech', as2Id: 'INI', note: 'acme in a field not searched' },
        ]);
        return collection;
      }

      const found = async (collection: ReadModelCollection<Named>, tenant: string, text: string): Promise<string[]> =>
        ids((await collection.find({ filter: searchFor(tenant, text), sort: { name: 1 } })).items);

      it('finds a text in either field, case-insensitively, within the filtered scope only', async () => {
        const collection = await named();
        expect(await found(collection, 't1', 'acme')).toEqual(['n1', 'n3']);
        expect(await found(collection, 't1', 'aCmE-0')).toEqual(['n1']);
        expect(await found(collection, 't2', 'ACME')).toEqual(['n4']);
        expect(await found(collection, 't1', 'trading')).toEqual(['n1']);
        expect(await found(collection, 't1', 'nothing like it')).toEqual([]);
      });

      it('matches punctuation, quotes and regex characters literally, and short and non-ASCII texts too', async () => {
        const collection = await named();
        expect(await found(collection, 't1', '"quoted" (A.B)*')).toEqual(['n2']);
        expect(await found(collection, 't1', 'a.b')).toEqual(['n2']);
        expect(await found(collection, 't1', 'ac')).toEqual(['n1', 'n3']);
        expect(await found(collection, 't1', 'ZÜR')).toEqual(['n3']);
        expect(await found(collection, 't1', 'X')).toEqual(['n2']);
      });

      it('follows replaced, deleted and cleared documents, and counts and pages the matches', async () => {
        const collection = await named();
        await collection.put({ _id: 'n1', tenant: 't1', name: 'Renamed Corp', as2Id: 'RNM' });
        await collection.delete('n3');
        expect(await found(collection, 't1', 'acme')).toEqual([]);
        expect(await found(collection, 't1', 'renamed')).toEqual(['n1']);
        await collection.putMany([1, 2, 3, 4, 5].map((i) => ({ _id: `m${i}`, tenant: 't1', name: `Match ${i}`, as2Id: `M${i}` })));
        const page = await collection.find({ filter: searchFor('t1', 'match'), sort: { name: 1 }, skip: 1, limit: 2 });
        expect(ids(page.items)).toEqual(['m2', 'm3']);
        expect(page.total).toBe(5);
        expect(await collection.count(searchFor('t1', 'match'))).toBe(5);
        await collection.clear();
        expect(await found(collection, 't1', 'match')).toEqual([]);
        await collection.put({ _id: 'm1', tenant: 't1', name: 'Match again', as2Id: 'M1' });
        expect(await found(collection, 't1', 'match')).toEqual(['m1']);
      });

      it('returns documents without anything the search index adds', async () => {
        const collection = await named();
        const page = await collection.find({ filter: searchFor('t1', 'initech'), sort: { name: 1 } });
        expect(page.items).toEqual([{ _id: 'n5', tenant: 't1', name: 'Initech', as2Id: 'INI', note: 'acme in a field not searched' }]);
        expect(await collection.get('n5')).toEqual(page.items[0]);
      });
    });

    describe('checkpoint store', () => {
      it('loads null for an unknown name', async () => {
        expect(await fixture.checkpoints.load(`never-${run}`)).toBeNull();
      });

      it('saves, overwrites and deletes a position, each name on its own', async () => {
        const a = `projection-a-${run}`;
        const b = `projection-b-${run}`;
        await fixture.checkpoints.save(a, 0);
        expect(await fixture.checkpoints.load(a)).toBe(0);
        await fixture.checkpoints.save(a, 41);
        await fixture.checkpoints.save(b, 7);
        await fixture.checkpoints.save(a, 42);
        expect(await fixture.checkpoints.load(a)).toBe(42);
        expect(await fixture.checkpoints.load(b)).toBe(7);
        await fixture.checkpoints.delete(a);
        await fixture.checkpoints.delete(`never-${run}`);
        expect(await fixture.checkpoints.load(a)).toBeNull();
        expect(await fixture.checkpoints.load(b)).toBe(7);
      });

      it('keeps large positions exactly', async () => {
        const name = `projection-large-${run}`;
        await fixture.checkpoints.save(name, 2 ** 40 + 3);
        expect(await fixture.checkpoints.load(name)).toBe(2 ** 40 + 3);
      });
    });
  });
}
