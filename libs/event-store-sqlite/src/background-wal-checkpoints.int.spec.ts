import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { BackgroundWalCheckpoints, FALLBACK_AUTOCHECKPOINT_PAGES } from '@as2-partners/kernel';

const DRIVER = require.resolve('better-sqlite3');

async function until(what: string, holds: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('BackgroundWalCheckpoints: WAL checkpoints on a thread of their own, not in the connection’s commits', () => {
  let dir: string;
  let file: string;
  let db: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-checkpoints-'));
    file = join(dir, 'store.sqlite');
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  });

  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** ~4 MiB of rows (more than SQLite's 1,000-page checkpoint threshold) in `commits` transactions. */
  function writeMegabytes(commits: number, afterEach: () => void): void {
    const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
    const body = 'x'.repeat(1_000);
    for (let c = 0; c < commits; c++) {
      db.transaction(() => {
        for (let i = 0; i < 4_000 / commits; i++) insert.run(body);
      })();
      afterEach();
    }
  }

  it('copies the committed pages into the database file while the connection itself only checkpoints far past SQLite’s threshold', async () => {
    const checkpoints = BackgroundWalCheckpoints.start(db, DRIVER, 20);
    expect(checkpoints).not.toBeNull();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
    const before = statSync(file).size;

    writeMegabytes(4, () => checkpoints?.committed());

    // Nothing of the ~1,000 pages each commit wrote was checkpointed by the connection (its threshold is far above): the
    // database file grows only by the thread's checkpoints.
    await until('the pages in the database file', () => statSync(file).size > before + 3_000_000);
    expect(checkpoints?.failure).toBeNull();
    await checkpoints?.close();
  });

  it('closes its own connection first, so the file’s last connection, closing, checkpoints and removes the WAL as before', async () => {
    const checkpoints = BackgroundWalCheckpoints.start(db, DRIVER, 20);
    writeMegabytes(2, () => checkpoints?.committed());
    await until('a checkpoint', () => statSync(file).size > 1_000_000);

    await checkpoints?.close();
    db.close();

    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = new Database(file, { readonly: true });
    expect(reopened.prepare('SELECT count(*) AS n FROM rows').get()).toEqual({ n: 4_000 });
    reopened.close();
  });

  it('gives the connection SQLite’s own checkpoints back when the thread cannot run them', async () => {
    const checkpoints = BackgroundWalCheckpoints.start(db, join(dir, 'no-such-driver.js'), 20);
    writeMegabytes(1, () => checkpoints?.committed());

    await until('the thread’s failure', () => checkpoints?.failure !== null);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    await checkpoints?.close();
  });

  it('has nothing to do for a connection without a WAL file', () => {
    const memory = new Database(':memory:');
    expect(BackgroundWalCheckpoints.start(memory, DRIVER)).toBeNull();
    memory.close();
  });
});
