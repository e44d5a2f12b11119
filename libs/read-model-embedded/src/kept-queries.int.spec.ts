import type { FindQuery, ReadModelDocument } from '@as2-partners/kernel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmbeddedReadModelCollection } from './embedded-read-model-collection';
import { EmbeddedReadModelStore } from './embedded-read-model-store';
import { preparedSqlOf } from './prepared-sql.spec-support';

interface View extends ReadModelDocument {
  readonly tenant: string;
  readonly typeOrder: number;
  readonly createdAt: string;
  readonly partnerId: string;
  readonly active: boolean;
}

const INDEXES = [['tenant', 'typeOrder', 'createdAt', 'partnerId', '_id']];
const PER_PAGE = 7;
const DEEP_PAGE = 80;

function view(tenant: string, i: number): View {
  const partnerId = `p${String(i).padStart(4, '0')}`;
  return { _id: `${tenant}|${partnerId}`, tenant, typeOrder: i % 5 === 0 ? 1 : 0, createdAt: new Date(Date.UTC(2024, 0, 1) + Math.floor(i / 3) * 60_000).toISOString(), partnerId, active: i % 4 !== 0 };
}

const pageQuery = (page: number, filter: FindQuery['filter'] = { tenant: 't1' }): FindQuery => ({
  filter,
  sort: { typeOrder: 1, createdAt: 1, partnerId: 1 },
  skip: (page - 1) * PER_PAGE,
  limit: PER_PAGE,
});

/** The page as a plain sort of every document says it is. */
function expectedPage(docs: Iterable<View>, page: number): string[] {
  const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...docs]
    .filter((v) => v.tenant === 't1')
    .sort((a, b) => a.typeOrder - b.typeOrder || text(a.createdAt, b.createdAt) || text(a.partnerId, b.partnerId) || text(a._id, b._id))
    .slice((page - 1) * PER_PAGE, page * PER_PAGE)
    .map((v) => v._id);
}

describe('EmbeddedReadModelStore: what a clean stop learnt of its queries carried into the next run', () => {
  let dir: string;
  let file: string;
  const open: EmbeddedReadModelStore[] = [];
  const docs = new Map<string, View>();

  /** A run: the store opened on the file, its views, and the SQL of the statements each query prepares. */
  async function run(): Promise<{ store: EmbeddedReadModelStore; views: EmbeddedReadModelCollection<View>; sql: string[] }> {
    const store = await EmbeddedReadModelStore.open(file);
    open.push(store);
    const views = store.collection<View>('views', INDEXES) as EmbeddedReadModelCollection<View>;
    return { store, views, sql: preparedSqlOf(views) };
  }

  async function firstRun(): Promise<void> {
    const { store, views } = await run();
    const seed = [...Array.from({ length: 700 }, (_, i) => view('t1', i)), ...Array.from({ length: 100 }, (_, i) => view('t2', i))];
    for (const doc of seed) docs.set(doc._id, doc);
    await views.putMany(seed);
    expect((await views.find(pageQuery(1))).total).toBe(700);
    expect((await views.find(pageQuery(DEEP_PAGE))).items.map((v) => v._id)).toEqual(expectedPage(docs.values(), DEEP_PAGE));
    await store.close();
  }

  const counted = (sql: readonly string[]) => sql.filter((text) => text.includes('count(*)'));
  /** Deep pages read from the start of the order, stepping over every row before them (no cursor). */
  const walkedFromStart = (sql: readonly string[]) => sql.filter((text) => text.startsWith('SELECT seq,') && text.includes('OFFSET'));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-kept-queries-'));
    file = join(dir, 'read-models.sqlite');
    docs.clear();
  });

  afterEach(async () => {
    for (const store of open.splice(0).reverse()) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the next run\'s page 1 with the kept count and its deep page from the kept cursor, as a sort of every document says', async () => {
    await firstRun();
    const { views, sql } = await run();

    const first = await views.find(pageQuery(1));
    const deep = await views.find(pageQuery(DEEP_PAGE));

    expect(first.total).toBe(700);
    expect(first.items.map((v) => v._id)).toEqual(expectedPage(docs.values(), 1));
    expect(deep.items.map((v) => v._id)).toEqual(expectedPage(docs.values(), DEEP_PAGE));
    expect(counted(sql)).toEqual([]);
    expect(walkedFromStart(sql)).toEqual([]);
  });

  it('keeps the carried count and cursor true through the next run\'s writes, and carries them on again', async () => {
    await firstRun();
    const second = await run();
    const added = [view('t1', 1000), { ...view('t1', 1001), typeOrder: 0, createdAt: '2023-01-01T00:00:00.000Z' }, view('t2', 1002)];
    for (const doc of added) docs.set(doc._id, doc);
    await second.views.putMany(added);
    const gone = view('t1', 3)._id;
    docs.delete(gone);
    await second.views.delete(gone);

    expect((await second.views.find(pageQuery(1))).total).toBe(701);
    expect((await second.views.find(pageQuery(DEEP_PAGE))).items.map((v) => v._id)).toEqual(expectedPage(docs.values(), DEEP_PAGE));
    await second.store.close();
    const third = await run();
    expect((await third.views.find(pageQuery(1))).total).toBe(701);
    expect((await third.views.find(pageQuery(DEEP_PAGE))).items.map((v) => v._id)).toEqual(expectedPage(docs.values(), DEEP_PAGE));
    expect(counted(third.sql)).toEqual([]);
  });

  it('carries them over a clean run that never opened the collection (nothing wrote its documents), not over one that cleared it', async () => {
    await firstRun();
    const elsewhere = await EmbeddedReadModelStore.open(file);
    open.push(elsewhere);
    await elsewhere.collection<View>('others').put(view('t1', 5000));
    await elsewhere.close();
    const after = await run();
    expect((await after.views.find(pageQuery(1))).total).toBe(700);
    expect(counted(after.sql)).toEqual([]);
    await after.views.clear();
    await after.store.close();
    const cleared = await run();
    expect((await cleared.views.find(pageQuery(1))).total).toBe(0);
    expect(counted(cleared.sql)).toHaveLength(1);
  });

  it('carries nothing over a run that did not stop cleanly: its writes are not in what the stop before kept', async () => {
    await firstRun();
    // a run that writes and never stops (a crash: its turn may even have committed)
    const crashed = await run();
    const added = view('t1', 2000);
    docs.set(added._id, added);
    await crashed.views.put(added);
    crashed.store['turn'].commit();
    const next = await run();

    expect((await next.views.find(pageQuery(1))).total).toBe(701);
    expect(counted(next.sql)).toHaveLength(1);
  });
});
