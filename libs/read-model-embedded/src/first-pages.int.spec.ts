import { escapeRegex, type Filter } from '@as2-partners/kernel';
import { Query } from 'mingo';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmbeddedReadModelCollection } from './embedded-read-model-collection';
import { EmbeddedReadModelStore } from './embedded-read-model-store';
import { preparedSqlOf } from './prepared-sql.spec-support';
import { inListOrder, LIST_INDEX, VIEW_SEARCH, VIEW_SORT, type PartnerShapedView } from './partner-shaped-views.spec-support';

type View = PartnerShapedView & { readonly as2Id: string };

const INDEXES = [LIST_INDEX];
const SEARCH = VIEW_SEARCH;
const SORT = VIEW_SORT;
const LIMIT = 5;

function view(tenant: string, i: number, name: string, minute: number): View {
  const partnerId = `p${String(i).padStart(5, '0')}`;
  return {
    _id: `acme|${tenant}|${partnerId}`,
    account: 'acme',
    tenant,
    typeOrder: i % 7 === 0 ? 1 : 0,
    createdAt: new Date(Date.UTC(2024, 0, 1) + minute * 60_000).toISOString(),
    partnerId,
    as2Id: `AS2-${tenant}-${i}`,
    settings: { name },
  };
}

const filterFor = (tenant: string, text: string): Filter => {
  const pattern = { $regex: escapeRegex(text), $options: 'i' };
  return { $and: [{ account: 'acme' }, { tenant }, { $or: [{ 'settings.name': pattern }, { as2Id: pattern }] }] };
};

/** Every document the filter accepts, in the list's order. */
function expected(docs: Iterable<View>, filter: Filter): string[] {
  const query = new Query(filter);
  return [...docs]
    .filter((doc) => query.test(doc as unknown as Record<string, unknown>))
    .sort(inListOrder)
    .map((doc) => doc._id);
}

/**
 * A broad search's first page (a term matching more than 2,000 documents of the whole store: the order's index walked,
 * each row's text tested) kept until a write can change it: writes elsewhere in the tenant, and matching ones after the
 * page's last row, leave it; any other write finds the page again.
 */
describe('EmbeddedReadModelStore first pages of broad searches', () => {
  let dir: string;
  let store: EmbeddedReadModelStore;
  let views: EmbeddedReadModelCollection<View>;
  const docs = new Map<string, View>();
  /** The SQL the views prepared since the seed. */
  let ran: string[];
  /** First pages found by walking the order's index (a statement reading the bodies with the order's keys). */
  const walks = (): number => ran.filter((sql) => sql.startsWith('SELECT seq, body, ')).length;
  const filter = filterFor('t1', 'broad');

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'first-pages-'));
    store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
    views = store.collection<View>('views', INDEXES, SEARCH) as EmbeddedReadModelCollection<View>;
    docs.clear();
    // another tenant's names make the term broad; in t1 every third name holds it
    const seed = [
      ...Array.from({ length: 2001 }, (_, i) => view('t9', i, `Broad filler ${i}`, i)),
      ...Array.from({ length: 300 }, (_, i) => view('t1', i, i % 3 === 0 ? `Broad partner ${i}` : `Narrow partner ${i}`, i)),
    ];
    await views.putMany(seed);
    for (const doc of seed) if (doc.tenant === 't1') docs.set(doc._id, doc);
    ran = preparedSqlOf(views);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const firstPage = async (): Promise<string[]> => (await views.find({ filter, sort: SORT, limit: LIMIT })).items.map((doc) => doc._id);
  const write = async (doc: View): Promise<void> => {
    await views.put(doc);
    docs.set(doc._id, doc);
  };

  it('is walked once, and kept through writes it cannot see: elsewhere in the tenant, and after its last row', async () => {
    expect(views.explain({ filter, sort: SORT, limit: LIMIT }).join(' | ')).not.toMatch(/read_model_search/);
    expect(await firstPage()).toEqual(expected(docs.values(), filter).slice(0, LIMIT));
    expect(walks()).toBe(1);

    // a create the term does not match, placed first in the order; a matching one placed last
    await write(view('t1', 1000, 'Narrow newcomer', -5));
    await write(view('t1', 1001, 'Broad newcomer', 10_000));
    expect(await firstPage()).toEqual(expected(docs.values(), filter).slice(0, LIMIT));
    expect(walks()).toBe(1);

    // a matching create placed before the last row: found again, with it
    await write(view('t1', 1002, 'Broad early bird', -1));
    const page = await firstPage();
    expect(page).toEqual(expected(docs.values(), filter).slice(0, LIMIT));
    expect(page).toContain('acme|t1|p01002');
    expect(walks()).toBe(2);

    // a listed partner renamed so the term no longer matches it: found again, without it
    await write({ ...(docs.get('acme|t1|p01002') as View), settings: { name: 'Renamed' } });
    expect(await firstPage()).toEqual(expected(docs.values(), filter).slice(0, LIMIT));
    expect(await firstPage()).not.toContain('acme|t1|p01002');
    expect(walks()).toBe(3);

    // a listed partner deleted
    const listed = (await firstPage())[0] as string;
    await views.delete(listed);
    docs.delete(listed);
    expect(await firstPage()).toEqual(expected(docs.values(), filter).slice(0, LIMIT));
    expect(walks()).toBe(4);
  });

  it('is carried over a clean stop with its count: the next run answers without a walk or a count, and walks again after a write before its last row', async () => {
    const first = await views.find({ filter, sort: SORT, limit: LIMIT });
    await store.close();
    store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
    views = store.collection<View>('views', INDEXES, SEARCH) as EmbeddedReadModelCollection<View>;
    ran = preparedSqlOf(views);

    const carried = await views.find({ filter, sort: SORT, limit: LIMIT });
    expect(carried.items.map((doc) => doc._id)).toEqual(expected(docs.values(), filter).slice(0, LIMIT));
    expect(carried.total).toBe(first.total);
    expect(walks()).toBe(0);
    expect(ran.filter((sql) => sql.includes('count(*)'))).toEqual([]);

    await views.put(view('t1', 1002, 'Broad early bird', -1));
    docs.set('acme|t1|p01002', view('t1', 1002, 'Broad early bird', -1));
    const after = await views.find({ filter, sort: SORT, limit: LIMIT });
    expect(after.items.map((doc) => doc._id)).toEqual(expected(docs.values(), filter).slice(0, LIMIT));
    expect(after.total).toBe((first.total as number) + 1);
    expect(walks()).toBe(1);
  });

  it('holding every match (a page short of its limit), is found again after any matching write', async () => {
    const few = filterFor('t2', 'broad');
    const page = async (): Promise<string[]> => (await views.find({ filter: few, sort: SORT, limit: LIMIT })).items.map((doc) => doc._id);
    await views.putMany([view('t2', 1, 'Broad one', 1), view('t2', 2, 'Broad two', 2)]);
    expect(await page()).toEqual(['acme|t2|p00001', 'acme|t2|p00002']);
    // after its last row
    await views.put(view('t2', 3, 'Broad three', 3));
    expect(await page()).toEqual(['acme|t2|p00001', 'acme|t2|p00002', 'acme|t2|p00003']);
  });

  it('answers as a plain filter and sort do through any writes', async () => {
    // a fixed sequence of pseudo-random writes (no seed from the clock: a failure repeats)
    let state = 7;
    const random = (n: number): number => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state % n;
    };
    for (let step = 0; step < 200; step += 1) {
      const ids = [...docs.keys()];
      const choice = random(4);
      const name = random(2) === 0 ? `Broad ${step}` : `Narrow ${step}`;
      if (choice === 0) {
        await write(view('t1', 2000 + step, name, random(400) - 50));
      } else if (choice === 1) {
        const id = ids[random(ids.length)] as string;
        await views.delete(id);
        docs.delete(id);
      } else if (choice === 2) {
        const moving = docs.get(ids[random(ids.length)] as string) as View;
        await write({ ...moving, createdAt: new Date(Date.UTC(2024, 0, 1) + (random(400) - 50) * 60_000).toISOString() });
      } else {
        await write({ ...(docs.get(ids[random(ids.length)] as string) as View), settings: { name } });
      }
      expect({ step, page: await firstPage() }).toEqual({ step, page: expected(docs.values(), filter).slice(0, LIMIT) });
    }
    // some reads were answered from a kept page
    expect(walks()).toBeLessThan(200);
  });
});
