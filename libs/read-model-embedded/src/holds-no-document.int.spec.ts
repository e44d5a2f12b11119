import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database, { type Statement } from 'better-sqlite3';
import { holdsNoDocument } from '@as2-partners/kernel';
import { EmbeddedReadModelStore } from './embedded-read-model-store';

interface Doc {
  readonly _id: string;
  readonly tenant: string;
}

/** better-sqlite3's statements share one prototype: reads of a replaced document are counted by their SQL. */
const statementPrototype = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1')) as Statement;
const DOCUMENT_READ = 'SELECT body FROM read_model_docs WHERE collection = ? AND id = ?';

describe('holdsNoDocument on the embedded store', () => {
  let dir: string;
  let store: EmbeddedReadModelStore;
  let documentReads: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-empty-'));
    store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
    const get = statementPrototype.get;
    jest.spyOn(statementPrototype, 'get').mockImplementation(function (this: Statement, ...args: unknown[]) {
      if (this.source === DOCUMENT_READ) documentReads++;
      return get.apply(this, args);
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function writesAfter(check: (docs: ReturnType<EmbeddedReadModelStore['collection']>) => Promise<unknown>): Promise<number> {
    const docs = store.collection<Doc>('copies', [['tenant']]);
    await docs.put({ _id: 'a', tenant: 't' });
    await check(docs);
    documentReads = 0;
    for (let i = 0; i < 50; i++) await docs.put({ _id: `d${i}`, tenant: 't' });
    return documentReads;
  }

  it('tells whether every collection named is empty', async () => {
    const empty = store.collection<Doc>('empty');
    const other = store.collection<Doc>('other');
    expect(await holdsNoDocument(empty, other)).toBe(true);
    await other.put({ _id: 'x', tenant: 't' });
    expect(await holdsNoDocument(empty, other)).toBe(false);
    await other.delete('x');
    expect(await holdsNoDocument(empty, other)).toBe(true);
  });

  it('leaves later writes without a read of the document they replace, as a count of the collection would not', async () => {
    expect(await writesAfter((docs) => holdsNoDocument(docs))).toBe(0);
    // the contrast: a count is kept up to date by every later write, each reading the document it replaces
    expect(await writesAfter((docs) => docs.count({}))).toBe(50);
  });
});
