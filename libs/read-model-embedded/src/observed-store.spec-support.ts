import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedReadModelStore } from './embedded-read-model-store';

/** A store on a file of its own, and a read-only connection beside it that sees only what is committed (as the file would after a crash). */
export interface ObservedStore {
  /** The temporary directory the file is in (removed after the test). */
  readonly dir: string;
  readonly file: string;
  readonly store: EmbeddedReadModelStore;
  readonly observer: Database.Database;
}

/** Opens an ObservedStore in a new temporary directory before each test of the describe it is called in, and removes it after. */
export function observedStorePerTest(prefix: string): () => ObservedStore {
  let current: ObservedStore | undefined;
  beforeEach(async () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const file = join(dir, 'read-models.sqlite');
    const store = await EmbeddedReadModelStore.open(file);
    current = { dir, file, store, observer: new Database(file, { readonly: true }) };
  });
  afterEach(async () => {
    if (!current) return;
    current.observer.close();
    await current.store.close();
    rmSync(current.dir, { recursive: true, force: true });
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('an observed store exists only inside a test');
    return current;
  };
}
