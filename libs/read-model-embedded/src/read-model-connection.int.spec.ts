import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedReadModelStore } from './embedded-read-model-store';
import { configureReadModelConnection } from './read-model-sqlite-schema';

/** Files this process holds open that were deleted (how SQLite keeps its temporary files). */
function openDeletedFiles(): string[] {
  const fds = '/proc/self/fd';
  return readdirSync(fds).flatMap((fd) => {
    try {
      const target = readlinkSync(join(fds, fd));
      return target.endsWith(' (deleted)') ? [target] : [];
    } catch {
      return [];
    }
  });
}

describe('the read-model connection', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'read-model-connection-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps temporary data in memory', () => {
    const db = new Database(join(dir, 'read-models.sqlite'));
    try {
      configureReadModelConnection(db);
      expect(db.pragma('temp_store', { simple: true })).toBe(2);
    } finally {
      db.close();
    }
  });

  it('writes a turn of multi-document writes (savepoints past 64 KiB of changed pages) without a temporary file', async () => {
    const store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
    try {
      const things = store.collection<{ _id: string; tenant: string; text: string }>('things', [['tenant']]);
      const before = openDeletedFiles();
      // a few MB in one turn: each putMany a savepoint of the turn's transaction
      await Promise.all(Array.from({ length: 40 }, (_, batch) => things.putMany(Array.from({ length: 25 }, (_, i) => ({ _id: `t${batch}-${i}`, tenant: `ten-${i % 7}`, text: 'x'.repeat(3000) })))));
      const during = openDeletedFiles().filter((file) => !before.includes(file));
      expect(during).toEqual([]);
      expect(await things.count({})).toBe(1000);
    } finally {
      await store.close();
    }
  });
});
