import type { ReadModelDocument } from '@as2-partners/kernel';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedReadModelStore } from './embedded-read-model-store';

interface View extends ReadModelDocument {
  readonly account: string;
  readonly tenant: string;
  readonly createdAt: string;
  readonly as2Id: string;
  readonly settings: { readonly name: string };
}

const INDEXES = [['account', 'tenant', 'createdAt']];
const SEARCH = { fields: ['settings.name', 'as2Id'], scope: ['account', 'tenant'] };
const WRITES = 6000;

const view = (i: number): View => ({
  _id: `v${i}`,
  account: 'a',
  tenant: 't',
  createdAt: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
  as2Id: `HUB-${String(i).padStart(7, '0')}`,
  settings: { name: `Hub Supplier ${i}` },
});

const turnEnd = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The search index's segments and its automerge setting, read beside the store. */
function searchIndexOf(file: string): { segments: number; automerge: unknown } {
  const db = new Database(file, { readonly: true });
  try {
    return {
      segments: db.prepare('SELECT count(DISTINCT segid) FROM read_model_search_idx').pluck().get() as number,
      automerge: db.prepare("SELECT v FROM read_model_search_config WHERE k = 'automerge'").pluck().get(),
    };
  } finally {
    db.close();
  }
}

// A phrase query seeks every segment of the trigram index: the store has FTS5 merge a level's segments in pairs.
describe('EmbeddedReadModelStore search index segments', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'search-index-segments-'));
    file = join(dir, 'read-models.sqlite');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('one-document commits leave few segments, and every document is still found by its own term', async () => {
    // a commit per turn whatever the timing (under load the store would group them: COMMIT_INTERVAL_MS)
    const store = await EmbeddedReadModelStore.open(file, { commitIntervalMs: 0 });
    const views = store.collection<View>('views', INDEXES, SEARCH);
    for (let i = 0; i < WRITES; i += 1) {
      await views.put(view(i));
      await turnEnd();
    }
    for (const i of [0, 7, 499, 4000, WRITES - 1]) {
      const { items, total } = await views.find({ filter: { $and: [{ account: 'a' }, { tenant: 't' }, { as2Id: { $regex: `hub-${String(i).padStart(7, '0')}`, $options: 'i' } }] }, sort: { createdAt: 1 }, limit: 5 });
      expect({ ids: items.map((doc) => doc._id), total }).toEqual({ ids: [`v${i}`], total: 1 });
    }
    await store.close();
    const index = searchIndexOf(file);
    expect(index.automerge).toBe(2);
    // FTS5's default (4 a level) leaves 13 segments after 6,000 such commits, pairs 8
    expect(index.segments).toBeLessThanOrEqual(9);
  }, 60_000);

  it('a file indexed before is set to merge in pairs at its next open', async () => {
    const store = await EmbeddedReadModelStore.open(file);
    await store.collection<View>('views', INDEXES, SEARCH).put(view(1));
    await store.close();
    const db = new Database(file);
    db.exec("INSERT INTO read_model_search (read_model_search, rank) VALUES ('automerge', 4)");
    db.close();
    expect(searchIndexOf(file).automerge).toBe(4);
    await (await EmbeddedReadModelStore.open(file)).close();
    expect(searchIndexOf(file).automerge).toBe(2);
  });
});
