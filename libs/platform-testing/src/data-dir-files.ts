import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Removes one of an embedded app's SQLite files (with its WAL and shared memory), while the app runs or not, as an operator's mistake would. */
export function removeDataFile(dataDir: string, file: 'events.sqlite' | 'read-models.sqlite' | 'secrets.sqlite'): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `${file}${suffix}`), { force: true });
}

/** How many events the embedded app's event store holds, read beside the app (what a refused write must not change). */
export function storedEventCount(dataDir: string): number {
  const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
