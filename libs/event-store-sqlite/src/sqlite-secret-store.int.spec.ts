import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { EventStoreUnavailableError, type SecretDocument } from '@as2-partners/kernel';
import { SqliteSecretStore } from './sqlite-secret-store';

interface Sealed extends SecretDocument {
  readonly sealed: string;
}

describe('SqliteSecretStore when its file refuses writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'as2-secret-store-'));
  let store: SqliteSecretStore;
  let db: Database.Database;
  const sealed = (id: string, bytes = 8 * 1024): Sealed => ({ _id: id, account: 'a', tenant: 't', sealed: randomBytes(bytes).toString('base64') });

  beforeEach(() => {
    store = SqliteSecretStore.open(join(dir, `secrets-${Date.now()}-${Math.random()}.sqlite`));
    db = (store as unknown as { db: Database.Database }).db;
  });
  afterEach(() => store.close());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a full disk: refuses the put as the store being unavailable (503, not 500), stores nothing, and is not ready until a put fits again', async () => {
    const keys = store.collection<Sealed>('keys');
    await keys.put(sealed('before'));
    // The store's own connection may not grow the file any more: what a full disk does to a write that needs new pages.
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages}`);

    const refused = await keys.put(sealed('during')).then(() => null, (error: unknown) => error);
    expect(refused).toBeInstanceOf(EventStoreUnavailableError);
    expect([(refused as EventStoreUnavailableError).maybeStored, (refused as Error).message]).toEqual([false, expect.stringContaining('SQLITE_FULL')]);
    expect(await keys.get('during')).toBeNull();
    await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);

    db.pragma(`max_page_count = ${pages + 1000}`);
    await expect(store.ping()).resolves.toBeUndefined();
    await keys.put(sealed('after'));
    expect((await keys.find({ account: 'a' })).map((doc) => doc._id)).toEqual(['after', 'before']);
  });

  it('a read-only file: refuses puts and deletions as the store being unavailable, and is ready once it takes writes again', async () => {
    const keys = store.collection<Sealed>('keys');
    await keys.put(sealed('kept'));
    // What a file the process may no longer write (chmod 444, a read-only mount) answers: SQLITE_READONLY, whoever runs this.
    db.pragma('query_only = ON');

    const refusals = await Promise.all([keys.put(sealed('new')), keys.delete('kept'), keys.deleteMany({ account: 'a' })].map((write) => write.then(() => null, (error: unknown) => error)));
    expect(refusals.map((error) => error instanceof EventStoreUnavailableError)).toEqual([true, true, true]);
    expect((await keys.find({ account: 'a' })).map((doc) => doc._id)).toEqual(['kept']);
    await expect(store.ping()).rejects.toThrow(/secret store cannot write now \(SQLITE_READONLY/);

    db.pragma('query_only = OFF');
    await expect(store.ping()).resolves.toBeUndefined();
    await keys.put(sealed('new'));
    expect((await keys.find({ account: 'a' })).map((doc) => doc._id)).toEqual(['kept', 'new']);
  });
});
