import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WalCheckpointer } from './wal-checkpointer';

/** ~8 MB in one transaction: ~2,000 pages, twice SQLite's own checkpoint threshold. */
function writeEightMegabytes(db: Database.Database): void {
  const insert = db.prepare('INSERT INTO rows (text) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 2_000; i++) insert.run(`${i}:`.padEnd(4_000, 'x'));
  })();
}

describe('WalCheckpointer', () => {
  let dir: string;
  let file: string;
  let writer: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'));
    file = join(dir, 'events.db');
    writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma('synchronous = NORMAL');
    writer.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  });

  afterEach(() => {
    if (writer.open) writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps checkpoints out of the writer's commits: a commit past 1,000 pages leaves the file as it was until the checkpointer's thread copies the WAL in", async () => {
    const checkpointer = new WalCheckpointer(writer, { everyMs: 600_000 });
    try {
      const before = statSync(file).size;
      writeEightMegabytes(writer);
      // SQLite's own checkpoint would have run inside that COMMIT, on this thread, and grown the file.
      expect(statSync(file).size).toBe(before);
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(8_000_000);
      const result = await checkpointer.checkpointNow();
      expect(result.log).toBeGreaterThan(1_000);
      expect(result.checkpointed).toBe(result.log);
      expect(statSync(file).size).toBeGreaterThan(before + 8_000_000);
      const reader = new Database(file, { readonly: true });
      expect(reader.prepare('SELECT count(*) FROM rows').pluck().get()).toBe(2_000);
      reader.close();
    } finally {
      await checkpointer.close();
    }
    await expect(checkpointer.checkpointNow()).rejects.toThrow('stopped');
  });

  it('checkpoints on its own once the WAL has grown past its threshold, and stops before the writer closes', async () => {
    const checkpointer = new WalCheckpointer(writer, { everyMs: 20, atLeastEveryMs: 600_000 });
    const before = statSync(file).size;
    writeEightMegabytes(writer);
    const waitedFrom = performance.now();
    while (statSync(file).size <= before + 8_000_000 && performance.now() - waitedFrom < 30_000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(statSync(file).size).toBeGreaterThan(before + 8_000_000);
    await checkpointer.close();
    await checkpointer.close();
    writer.close();
  });

  it('checkpoints a WAL that changed but grew less than its threshold once enough time has passed, and not before', async () => {
    const started = performance.now();
    const checkpointer = new WalCheckpointer(writer, { everyMs: 20, growthBytes: 64 * 1024 * 1024, atLeastEveryMs: 400 });
    try {
      const before = statSync(file).size;
      writeEightMegabytes(writer);
      while (statSync(file).size <= before + 8_000_000 && performance.now() - started < 30_000) await new Promise((resolve) => setTimeout(resolve, 10));
      // its clock starts when its thread does, after this test's `started`
      expect(performance.now() - started).toBeGreaterThanOrEqual(380);
      expect(statSync(file).size).toBeGreaterThan(before + 8_000_000);
    } finally {
      await checkpointer.close();
    }
  });
});
