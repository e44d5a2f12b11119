import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { configureConnection, createSchema } from '../../libs/event-store-sqlite/src/sqlite-schema';

/**
 * The raw anchor of the create benchmarks: one INSERT per fsync'd transaction into a table like the event store's, same
 * pragmas, rows of the given `data` and `metadata` texts, for `seconds`, in a scratch file of `dir` removed after.
 */
export function rawAppendsPerSecond(dir: string, seconds: number, row: { readonly data: string; readonly metadata: string }): number {
  const file = join(dir, `raw-anchor-${randomUUID()}.sqlite`);
  const db = new Database(file);
  try {
    configureConnection(db);
    createSchema(db);
    const insert = db.prepare('INSERT INTO events (id, stream, revision, type, schema_version, data, metadata) VALUES (?, ?, 0, ?, 1, ?, ?)');
    let n = 0;
    const started = performance.now();
    while (performance.now() - started < seconds * 1000) {
      insert.run(randomUUID(), `partner-${n}`, 'partner.created.v1', row.data, row.metadata);
      n++;
    }
    return n / ((performance.now() - started) / 1000);
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
}
