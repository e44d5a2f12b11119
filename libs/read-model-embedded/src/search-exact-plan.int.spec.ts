import { escapeRegex, type Filter } from '@as2-partners/kernel';
import Database from 'better-sqlite3';
import { Query } from 'mingo';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmbeddedReadModelCollection } from './embedded-read-model-collection';
import { EmbeddedReadModelStore } from './embedded-read-model-store';
import { LIST_INDEX, VIEW_SEARCH, VIEW_SORT, type PartnerShapedView } from './partner-shaped-views.spec-support';
import { COMMON_FROM } from './trigram-rarity';

type View = PartnerShapedView & { readonly settings: { readonly name: string } };

const INDEXES = [LIST_INDEX];
const SEARCH = VIEW_SEARCH;
const SORT = VIEW_SORT;

/** Names that test the edges: case, the join of name and AS2 id, regex and LIKE metacharacters, the letters SQLite folds and the regex does not. */
const NAMES = [
  'Partner Alpha',
  'ALPHA partner beta',
  'partnerXYZ',
  '100% Steel_Works',
  'a.b(c)*[d]+e?',
  'Zürich Trading',
  '\u212Aey Logistics',
  'Cla\u017Fs Freight',
  'Line one\nline two',
  'quote "marks" here',
];

function view(tenant: string, i: number): View {
  const partnerId = `p${String(i).padStart(5, '0')}`;
  return {
    _id: `acme|${tenant}|${partnerId}`,
    account: 'acme',
    tenant,
    typeOrder: i % 4 === 0 ? 1 : 0,
    createdAt: new Date(Date.UTC(2024, 0, 1) + ((i * 7919) % 1000) * 60_000).toISOString(),
    partnerId,
    as2Id: i % 10 === 2 ? `ABC-${tenant}-${i}` : `AS2-${tenant}-${i}`,
    settings: { name: `${NAMES[i % NAMES.length]}${i % 10 === 2 ? '' : ` ${i}`}` },
  };
}

const searchFor = (text: string): Filter => {
  const pattern = { $regex: escapeRegex(text), $options: 'i' };
  return { $or: [{ 'settings.name': pattern }, { as2Id: pattern }] };
};

const inTenant = (tenant: string, text: string): Filter => ({ $and: [{ account: 'acme' }, { tenant }, searchFor(text)] });

/** What the store answered before: every document the regex filter accepts, in the list's order. */
function expected(docs: readonly View[], filter: Filter): View[] {
  const query = new Query(filter);
  const key = (doc: View): [number, string, string, string] => [doc.typeOrder, doc.createdAt, doc.partnerId, doc._id];
  return docs
    .filter((doc) => query.test(doc as unknown as Record<string, unknown>))
    .sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      for (let i = 0; i < ka.length; i += 1) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
      return 0;
    });
}

/** JSON.parse calls during a read: an exact plan parses only the page's rows. */
async function parsesDuring<R>(read: () => Promise<R>): Promise<[R, number]> {
  const parse = jest.spyOn(JSON, 'parse');
  try {
    const result = await read();
    return [result, parse.mock.calls.length];
  } finally {
    parse.mockRestore();
  }
}

describe('EmbeddedReadModelStore search answered by the trigram index alone', () => {
  let dir: string;
  let file: string;
  let store: EmbeddedReadModelStore;
  let views: EmbeddedReadModelCollection<View>;
  let docs: View[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'search-exact-plan-'));
    file = join(dir, 'read-models.sqlite');
    store = await EmbeddedReadModelStore.open(file);
    views = store.collection<View>('views', INDEXES, SEARCH) as EmbeddedReadModelCollection<View>;
    docs = [...Array.from({ length: 60 }, (_, i) => view('t1', i)), ...Array.from({ length: 60 }, (_, i) => view('t2', i))];
    await views.putMany(docs);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const TERMS = [
    'partner', 'PARTNER', 'pArTnEr', 'alpha', 'xyz', 'rxy',
    // the join of name and AS2 id (`partnerXYZ` then `ABC-…`): never one match
    'xyzabc', 'XYZ ABC', 'zab',
    // shorter than a trigram, non-ASCII, the letters SQLite folds to k and s, regex and LIKE metacharacters, quotes
    'pa', 'ZÜR', 'zür', 'key', 'KEY', 'clas', 'class', '100%', '% s', 'l_w', 'steel_', 'a.b(c)*', '(c)*[d]+e?', '.*', '"marks"', 'e "m',
    'line one', 'one\nline', 'abc-t1', 'ABC-T2', 'as2-t1-1', 'nothing at all',
  ];

  it.each(TERMS)('finds %j as the regex filter does, in one tenant only, for every page', async (term) => {
    for (const tenant of ['t1', 't2']) {
      const filter = inTenant(tenant, term);
      const all = expected(docs, filter);
      expect(all.every((doc) => doc.tenant === tenant)).toBe(true);
      for (const [skip, limit] of [[0, 5], [3, 4], [0, 1000]]) {
        const page = await views.find({ filter, sort: SORT, skip, limit });
        expect({ ids: page.items.map((doc) => doc._id), total: page.total }).toEqual({ ids: all.slice(skip, skip + limit).map((doc) => doc._id), total: all.length });
      }
      expect(await views.count(filter)).toBe(all.length);
    }
  });

  it.each([false, true])('finds every term as the regex filter does when it matches more than 2,000 documents (walking the order index; cursors kept: %s)', async (cursors) => {
    // a third tenant whose names hold every term makes each term broad; a number is no text to the regex
    const terms = [...TERMS, '123', '234'];
    const filler = Array.from({ length: 2001 }, (_, i) => ({ ...view('t9', i), settings: { name: terms.join(' ') } }));
    const numeric = { ...view('t1', 900), as2Id: 12345, settings: { name: 'Numeric 900' } };
    await views.putMany([...filler, numeric]);
    const all = [...docs, numeric];
    for (const term of terms) {
      for (const tenant of ['t1', 't2']) {
        const filter = inTenant(tenant, term);
        const wanted = expected(all, filter);
        if (term.length >= 3 && /^[\x20-\x7e]+$/.test(term)) {
          const plan = `${term}: ${views.explain({ filter, sort: SORT, limit: 5 }).join(' | ')}`;
          expect(plan).toMatch(/USING INDEX read_model_index_/);
          expect(plan).not.toMatch(/read_model_search/);
        }
        // pages in turn (each page after the first seeks from the cursor the one before it left) or each alone
        for (const [skip, limit] of [[0, 5], [5, 5], [3, 4], [10, 5], [0, 1000]]) {
          if (!cursors) await store.close().then(async () => {
            store = await EmbeddedReadModelStore.open(file);
            views = store.collection<View>('views', INDEXES, SEARCH) as EmbeddedReadModelCollection<View>;
          });
          const page = await views.find({ filter, sort: SORT, skip, limit });
          expect({ term, tenant, skip, ids: page.items.map((doc) => doc._id), total: page.total }).toEqual({ term, tenant, skip, ids: wanted.slice(skip, skip + limit).map((doc) => doc._id), total: wanted.length });
        }
        expect(await views.count(filter)).toBe(wanted.length);
      }
    }
  });

  it('finds every term as the regex filter does when some of its trigrams are common (its rare parts searched, the substring tested)', async () => {
    // a thousand names make the trigrams of "partner alpha as2-t" common: a term's other parts find a superset of its matches
    await views.putMany(Array.from({ length: COMMON_FROM }, (_, i) => ({ ...view('t9', i), settings: { name: 'partner alpha as2-t' } })));
    // the rare part `-t1-2` is also in `ABC-t1-2…`, which `as2-t1-2` is not in
    const terms = [...TERMS, 'as2-t1-2', 'AS2-T2-5', 'alpha 1', 'partner 4', 'partnerx', 'er alpha 5', 'xyz partner'];
    for (const term of terms) {
      for (const tenant of ['t1', 't2']) {
        const filter = inTenant(tenant, term);
        const wanted = expected(docs, filter);
        for (const [skip, limit] of [[0, 5], [3, 4], [0, 1000]]) {
          const page = await views.find({ filter, sort: SORT, skip, limit });
          expect({ term, tenant, ids: page.items.map((doc) => doc._id), total: page.total }).toEqual({ term, tenant, ids: wanted.slice(skip, skip + limit).map((doc) => doc._id), total: wanted.length });
        }
        expect(await views.count(filter)).toBe(wanted.length);
      }
    }
    expect(expected(docs, inTenant('t1', 'as2-t1-2')).length).toBeGreaterThan(0);
    expect(docs.some((doc) => /-t1-2/i.test(String(doc.as2Id)) && !/as2-t1-2/i.test(String(doc.as2Id)))).toBe(true);
  });

  it('parses only the page for an ASCII term of three characters or more, every candidate for others', async () => {
    const [page, parses] = await parsesDuring(() => views.find({ filter: inTenant('t1', 'PARTNER'), sort: SORT, limit: 3 }));
    expect(page.items).toHaveLength(3);
    expect(page.total).toBe(expected(docs, inTenant('t1', 'partner')).length);
    expect(parses).toBe(3);
    // a two-character term is no trigram: the tenant's documents are each parsed and tested
    const [, shortParses] = await parsesDuring(() => views.find({ filter: inTenant('t1', 'pa'), sort: SORT, limit: 3 }));
    expect(shortParses).toBeGreaterThanOrEqual(60);
  });

  it('keeps the count of an exact search up to date through writes, and never counts another tenant', async () => {
    const filter = inTenant('t1', 'alpha');
    const before = (await views.find({ filter, sort: SORT, limit: 1 })).total;
    await views.put({ ...view('t1', 500), settings: { name: 'New Alpha' } });
    await views.put({ ...view('t2', 501), settings: { name: 'Other Alpha' } });
    await views.put({ ...docs.find((doc) => doc.tenant === 't1' && /alpha/i.test(doc.settings.name)) as View, settings: { name: 'renamed' } });
    expect((await views.find({ filter, sort: SORT, limit: 1 })).total).toBe(before);
    await views.delete('acme|t1|p00500');
    expect((await views.find({ filter, sort: SORT, limit: 1 })).total).toBe(before - 1);
  });

  it('walks the order index for a term matching many documents, and reads the matches of a narrow one by seq', async () => {
    await views.putMany(Array.from({ length: 2500 }, (_, i) => view('t3', 1000 + i)));
    const broad = { filter: inTenant('t3', 'AS2-t3'), sort: SORT, limit: 20 };
    expect(views.explain(broad).join(' | ')).toMatch(/USING INDEX read_model_index_/);
    const [page, parses] = await parsesDuring(() => views.find({ ...broad, skip: 1500 }));
    expect(parses).toBe(20);
    const all = expected(await views.find({ filter: { tenant: 't3' } }).then((p) => p.items), broad.filter);
    expect(page.items.map((doc) => doc._id)).toEqual(all.slice(1500, 1520).map((doc) => doc._id));
    expect(page.total).toBe(all.length);
    expect(views.explain({ filter: inTenant('t3', 'as2-t3-2050'), sort: SORT }).join(' | ')).toMatch(/USING INTEGER PRIMARY KEY/);
  });

  it("counts a term broad across the store by the scope's own documents when the scope holds fewer, through the trigram index when more", async () => {
    // 3,000 documents of t8 hold "busy partner": broad for the whole store; t7 holds 5,000, 2,100 of them "rare word"
    await views.putMany(Array.from({ length: 3000 }, (_, i) => ({ ...view('t8', 2000 + i), settings: { name: `Busy partner ${i}` } })));
    await views.putMany(Array.from({ length: 5000 }, (_, i) => ({ ...view('t7', 6000 + i), settings: { name: i < 2100 ? `Rare word ${i}` : `Quiet ${i}` } })));
    const prepared = jest.spyOn((views as unknown as { table: { prepared: (sql: string) => unknown } }).table, 'prepared');
    try {
      const countsOf = async (tenant: string, term: string): Promise<string[]> => {
        const filter = inTenant(tenant, term);
        prepared.mockClear();
        const page = await views.find({ filter, sort: SORT, limit: 1 });
        expect(page.total).toBe(expected((await views.find({ filter: { tenant } })).items, filter).length);
        expect(page.total).toBeGreaterThan(1);
        return prepared.mock.calls.map(([sql]) => sql).filter((sql) => sql.startsWith('SELECT count(*) FROM read_model_docs WHERE') && (sql.includes('read_model_search') || sql.includes('instr(')));
      };
      // t1 holds a few documents: they are tested in SQL, the 3,000 matches of t8 are not read
      const small = await countsOf('t1', 'partner');
      expect(small.length).toBeGreaterThan(0);
      expect(small.every((sql) => !sql.includes('read_model_search') && sql.includes('instr('))).toBe(true);
      // t7 holds more documents than the store holds matches of its term: counted through the index
      const wide = await countsOf('t7', 'rare word');
      expect(wide.length).toBeGreaterThan(0);
      expect(wide.every((sql) => sql.includes('read_model_search'))).toBe(true);
    } finally {
      prepared.mockRestore();
    }
  });

  it('tests every candidate again once a searched field holds an array, and finds as the regex filter does', async () => {
    const listed = { ...view('t1', 700), as2Id: ['LIST-ONE', ['NESTED-partner']] };
    await views.put(listed);
    for (const term of ['nested-partner', 'list-one']) {
      const filter = inTenant('t1', term);
      expect(await views.find({ filter, sort: SORT })).toEqual({ items: expected([...docs, listed], filter), total: expected([...docs, listed], filter).length });
    }
    const filter = inTenant('t1', 'partner');
    const [page, parses] = await parsesDuring(() => views.find({ filter, sort: SORT, limit: 2 }));
    const all = expected([...docs, listed], filter);
    expect(page).toEqual({ items: all.slice(0, 2), total: all.length });
    expect(parses).toBeGreaterThan(2);
  });

  it('tests every candidate in a file whose search text was indexed before (KELVIN SIGN indexed as k), until a rebuild indexes it again', async () => {
    await store.close();
    const raw = new Database(file);
    raw.prepare("DELETE FROM read_model_indexes WHERE kind = 'search-text'").run();
    // the text an older store indexed: KELVIN SIGN kept, so a trigram match of `key` finds it
    const kelvin = raw.prepare("SELECT seq FROM read_model_docs WHERE id = 'acme|t1|p00006'").pluck().get() as number;
    raw.prepare('INSERT OR REPLACE INTO read_model_search (rowid, text) VALUES (?, ?)').run(kelvin, '\u212Aey Logistics 6\nAS2-t1-6');
    raw.close();
    store = await EmbeddedReadModelStore.open(file);
    views = store.collection<View>('views', INDEXES, SEARCH) as EmbeddedReadModelCollection<View>;
    const filter = inTenant('t1', 'key');
    const [page, parses] = await parsesDuring(() => views.find({ filter, sort: SORT, limit: 5 }));
    expect(page.items).toEqual(expected(docs, filter));
    expect(page.items).toEqual([]);
    expect(parses).toBeGreaterThan(0);
    await store.bulkLoad(async () => {
      await views.clear();
      await views.putMany(docs);
    });
    const [again, parsesAfter] = await parsesDuring(() => views.find({ filter: inTenant('t1', 'logistics'), sort: SORT, limit: 2 }));
    expect(again.items.map((doc) => doc._id)).toEqual(expected(docs, inTenant('t1', 'logistics')).slice(0, 2).map((doc) => doc._id));
    expect(parsesAfter).toBe(2);
  });
});
