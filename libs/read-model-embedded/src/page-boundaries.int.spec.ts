import type { FindQuery, ReadModelDocument } from '@as2-partners/kernel';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmbeddedReadModelCollection } from './embedded-read-model-collection';
import { EmbeddedReadModelStore } from './embedded-read-model-store';

interface View extends ReadModelDocument {
  readonly account: string;
  readonly tenant: string;
  readonly typeOrder: number;
  readonly createdAt: string;
  readonly partnerId: string;
  readonly active: boolean;
}

const INDEXES = [['account', 'tenant', 'typeOrder', 'createdAt', 'partnerId', '_id']];
const SORT = { typeOrder: 1, createdAt: 1, partnerId: 1 } as const;
const PER_PAGE = 7;

function view(tenant: string, i: number): View {
  const partnerId = `p${String(i).padStart(4, '0')}`;
  return {
    _id: `acme|${tenant}|${partnerId}`,
    account: 'acme',
    tenant,
    typeOrder: i % 5 === 0 ? 1 : 0,
    // some share a creation time: the id decides
    createdAt: new Date(Date.UTC(2024, 0, 1) + Math.floor(i / 3) * 60_000).toISOString(),
    partnerId,
    active: i % 4 !== 0,
  };
}

const pageQuery = (tenant: string, page: number): FindQuery => ({
  filter: { $and: [{ account: 'acme' }, { tenant }] },
  sort: SORT,
  skip: (page - 1) * PER_PAGE,
  limit: PER_PAGE,
});

/** The page as a plain sort of every document says it is. */
function expectedPage(docs: Iterable<View>, tenant: string, page: number): string[] {
  const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...docs]
    .filter((v) => v.tenant === tenant)
    .sort((a, b) => a.typeOrder - b.typeOrder || text(a.createdAt, b.createdAt) || text(a.partnerId, b.partnerId) || text(a._id, b._id))
    .slice((page - 1) * PER_PAGE, page * PER_PAGE)
    .map((v) => v._id);
}

describe('EmbeddedReadModelStore deep pages (keyset cursors behind page/per_page)', () => {
  let dir: string;
  let file: string;
  let store: EmbeddedReadModelStore;
  let views: EmbeddedReadModelCollection<View>;
  const docs = new Map<string, View>();
  /** The SQL and parameters of each page read, as the collection ran them. */
  let ran: { sql: string; params: unknown[] }[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-pages-'));
    file = join(dir, 'read-models.sqlite');
    store = await EmbeddedReadModelStore.open(file);
    views = store.collection<View>('views', INDEXES) as EmbeddedReadModelCollection<View>;
    docs.clear();
    const seed = [...Array.from({ length: 700 }, (_, i) => view('t1', i)), ...Array.from({ length: 100 }, (_, i) => view('t2', i))];
    for (const doc of seed) docs.set(doc._id, doc);
    await views.putMany(seed);
    ran = [];
    const table = (views as unknown as { table: { prepared(sql: string): { all(...params: unknown[]): unknown } } }).table;
    const prepared = table.prepared.bind(table);
    jest.spyOn(table, 'prepared').mockImplementation((sql: string) => {
      const statement = prepared(sql) as Record<string, unknown> & { all(...params: unknown[]): unknown };
      if (!/^SELECT (seq\b|\* FROM \()/.test(sql)) return statement;
      const recording: object = new Proxy(statement, {
        get: (target, property) => {
          if (property === 'all') {
            return (...params: unknown[]) => {
              ran.push({ sql, params });
              return target.all(...params);
            };
          }
          const value = Reflect.get(target, property) as unknown;
          if (typeof value !== 'function') return value;
          // pluck() and raw() return the statement itself: keep recording through them
          return (...args: unknown[]) => {
            const result = (value as (...a: unknown[]) => unknown).apply(target, args);
            return result === target ? recording : result;
          };
        },
      });
      return recording as never;
    });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ids = async (tenant: string, page: number): Promise<string[]> => (await views.find(pageQuery(tenant, page))).items.map((v) => v._id);
  const seeks = (): boolean[] => ran.map((r) => / UNION ALL /.test(r.sql));
  /** How many rows SQLite stepped over to reach the page (the OFFSET parameter). */
  const lastOffset = (): number => ran.at(-1)?.params.at(-1) as number;

  it('answers every page as a plain sort does, the same page and the next ones by a seek, not by stepping over the rows before', async () => {
    for (const page of [1, 2, 60, 61, 62, 3, 100, 99, 101]) expect(await ids('t1', page)).toEqual(expectedPage(docs.values(), 't1', page));
    ran = [];
    expect(await ids('t1', 60)).toEqual(expectedPage(docs.values(), 't1', 60));
    expect(seeks()).toEqual([true]);
    expect(lastOffset()).toBe(0);
    // a page past the known ones seeks to the closest and steps over the pages between only
    expect(await ids('t1', 70)).toEqual(expectedPage(docs.values(), 't1', 70));
    expect(lastOffset()).toBe(7 * PER_PAGE - 1);
  });

  it('walks the index by offset rather than seek from a cursor far before the page (a seek sorts what it steps over)', async () => {
    expect(await ids('t1', 2)).toEqual(expectedPage(docs.values(), 't1', 2));
    ran = [];
    expect(await ids('t1', 90)).toEqual(expectedPage(docs.values(), 't1', 90));
    expect(seeks()).toEqual([false]);
    // the page's own cursor, left by that read, is a seek
    ran = [];
    expect(await ids('t1', 90)).toEqual(expectedPage(docs.values(), 't1', 90));
    expect(seeks()).toEqual([true]);
  });

  it('finds the seek in the index (no scan, no sort)', async () => {
    await ids('t1', 50);
    await ids('t1', 50);
    const { sql, params } = ran.at(-1) as { sql: string; params: unknown[] };
    const db = new Database(file, { readonly: true });
    try {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail).join('\n');
      // one index range per key: the equal prefix, then greater on the next key
      for (const equal of ['', ' AND <expr>=\\?', ' AND <expr>=\\? AND <expr>=\\?', ' AND <expr>=\\? AND <expr>=\\? AND <expr>=\\?']) {
        expect(plan).toMatch(new RegExp(`SEARCH read_model_docs USING INDEX read_model_index_\\w+ \\(<expr>=\\? AND <expr>=\\?${equal} AND (<expr>|id)>\\?\\)`));
      }
      expect(plan).not.toMatch(/SCAN read_model_docs/);
      // each branch reads its range in index order; only the few rows a branch returns are sorted, for the merge
      const lines = plan.split('\n');
      lines.forEach((line, i) => {
        if (line.includes('TEMP B-TREE')) expect(lines[i - 1]).toMatch(/^SCAN \(subquery-\d+\)$/);
      });
    } finally {
      db.close();
    }
  });

  it('moves the cursors a write in the tenant moves, and keeps them through writes elsewhere', async () => {
    await ids('t1', 40);
    await views.put({ ...view('t2', 5), active: false });
    docs.set(view('t2', 5)._id, { ...view('t2', 5), active: false });
    ran = [];
    expect(await ids('t1', 40)).toEqual(expectedPage(docs.values(), 't1', 40));
    expect(seeks()).toEqual([true]);

    // a partner created before page 40's rows moves every page after it by one: its cursors move on with them (so
    // the page's own start is no longer known, and it is read by offset once)
    const early = { ...view('t1', 9_999), createdAt: '2023-12-31T00:00:00.000Z', typeOrder: 0 };
    await views.put(early);
    docs.set(early._id, early);
    expect(await ids('t1', 40)).toEqual(expectedPage(docs.values(), 't1', 40));

    // one deleted before them moves them back by one: the page's start is a seek
    await views.delete(view('t1', 2)._id);
    docs.delete(view('t1', 2)._id);
    ran = [];
    expect(await ids('t1', 40)).toEqual(expectedPage(docs.values(), 't1', 40));
    expect(seeks()).toEqual([true]);
    expect(lastOffset()).toBe(0);

    // one created after them (the newest) moves none
    const late = { ...view('t1', 9_998), createdAt: '2030-01-01T00:00:00.000Z', typeOrder: 1 };
    await views.put(late);
    docs.set(late._id, late);
    ran = [];
    expect(await ids('t1', 40)).toEqual(expectedPage(docs.values(), 't1', 40));
    expect(seeks()).toEqual([true]);
    expect(lastOffset()).toBe(0);

    // the row a cursor is keyed on (page 40's last) deleted: the next page starts one row earlier, still by a seek
    const last = (await ids('t1', 40)).at(-1) as string;
    await views.delete(last);
    docs.delete(last);
    ran = [];
    expect(await ids('t1', 41)).toEqual(expectedPage(docs.values(), 't1', 41));
    expect(seeks()).toEqual([true]);

    // and that row moved to the end of the order: the same
    const keyed = (await ids('t1', 40)).at(-1) as string;
    const movedToEnd = { ...(docs.get(keyed) as View), typeOrder: 1, createdAt: '2031-01-01T00:00:00.000Z' };
    await views.put(movedToEnd);
    docs.set(keyed, movedToEnd);
    ran = [];
    expect(await ids('t1', 41)).toEqual(expectedPage(docs.values(), 't1', 41));
    expect(seeks()).toEqual([true]);

    // a key that cannot be compared exactly (a fractional number) forgets the tenant's cursors: an offset read again
    const fractional = { ...view('t1', 9_997), typeOrder: 0.5 };
    await views.put(fractional);
    docs.set(fractional._id, fractional);
    ran = [];
    expect(await ids('t1', 40)).toEqual(expectedPage(docs.values(), 't1', 40));
    expect(seeks()).toEqual([false]);

    await views.delete(view('t1', 3)._id);
    docs.delete(view('t1', 3)._id);
    expect(await ids('t1', 40)).toEqual(expectedPage(docs.values(), 't1', 40));
    expect(await ids('t1', 41)).toEqual(expectedPage(docs.values(), 't1', 41));

    await views.clear();
    expect(await ids('t1', 40)).toEqual([]);
  });

  it('a write SQLite refuses moves no cursor', async () => {
    expect(await ids('t1', 40)).toEqual(expectedPage(docs.values(), 't1', 40));
    // on the store's own connection (its turn's transaction holds the file)
    const connection = (store as unknown as { db: Database.Database }).db;
    connection.exec(`CREATE TRIGGER refuse_early BEFORE INSERT ON read_model_docs WHEN NEW.id = 'acme|t1|early' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    expect(connection.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'refuse_early'").pluck().get()).toBe(1);
    // it would sort before page 40's rows
    const early: View = { ...view('t1', 9_999), _id: 'acme|t1|early', createdAt: '2023-12-31T00:00:00.000Z', typeOrder: 0 };
    // (the rejection read as a value: better-sqlite3's error class is not always the test realm's Error)
    const refusal = await views.put(early).then(
      () => null,
      (error: unknown) => error,
    );
    expect(String((refusal as { message?: unknown } | null)?.message)).toContain('refused');
    // the page after the cursors first: one moved by the refused row would start it a row early
    expect(await ids('t1', 41)).toEqual(expectedPage(docs.values(), 't1', 41));
    expect(await ids('t1', 40)).toEqual(expectedPage(docs.values(), 't1', 40));
  });

  it('answers every page as a plain sort does through creates, deletes and moves anywhere in the order', async () => {
    // a fixed sequence of pseudo-random writes and page reads (no seed from the clock: a failure repeats)
    let state = 42;
    const random = (n: number): number => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state % n;
    };
    const existing = (): string[] => [...docs.values()].filter((v) => v.tenant === 't1').map((v) => v._id);
    let seeked = 0;
    for (let step = 0; step < 300; step += 1) {
      const choice = random(4);
      if (choice === 0) {
        const created = view('t1', 1_000 + step);
        const doc = { ...created, typeOrder: random(2), createdAt: new Date(Date.UTC(2024, 0, 1) + random(300) * 60_000).toISOString() };
        await views.put(doc);
        docs.set(doc._id, doc);
      } else if (choice === 1) {
        const all = existing();
        const id = all[random(all.length)] as string;
        await views.delete(id);
        docs.delete(id);
      } else if (choice === 2) {
        const all = existing();
        const moving = docs.get(all[random(all.length)] as string) as View;
        const doc = { ...moving, createdAt: new Date(Date.UTC(2024, 0, 1) + random(300) * 60_000).toISOString(), active: !moving.active };
        await views.put(doc);
        docs.set(doc._id, doc);
      } else {
        // a write that leaves the order as it is (the same keys)
        const all = existing();
        const same = docs.get(all[random(all.length)] as string) as View;
        await views.put({ ...same, active: !same.active });
        docs.set(same._id, { ...same, active: !same.active });
      }
      const page = 1 + random(Math.ceil(existing().length / PER_PAGE) + 1);
      ran = [];
      expect(await ids('t1', page)).toEqual(expectedPage(docs.values(), 't1', page));
      seeked += seeks().filter(Boolean).length;
    }
    // the cursors survived the writes: most reads after the first pages were seeks
    expect(seeked).toBeGreaterThan(150);
  });
});
