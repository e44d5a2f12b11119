import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalSync, type WalSyncFunction } from './wal-sync';

/** A sync the test finishes by hand: which syncs started, and a way to end each. */
function heldSync() {
  const started: ((error: Error | null) => void)[] = [];
  const sync: WalSyncFunction = (_fd, done) => void started.push(done);
  return { sync, started };
}

const settledState = async (promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> => {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('WalSync', () => {
  let dir: string;
  let wal: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-sync-'));
    wal = join(dir, 'db.sqlite-wal');
    writeFileSync(join(dir, 'db.sqlite'), 'pages');
    writeFileSync(wal, 'frames');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves a caller only after a sync that started after its call', async () => {
    const { sync, started } = heldSync();
    const walSync = new WalSync(wal, sync);
    const first = walSync.durable();
    expect(started).toHaveLength(1);
    // Asked while the first sync runs: its commit may have been written after that sync began.
    const second = walSync.durable();
    const third = walSync.durable();
    expect(started).toHaveLength(1);
    started[0]?.(null);
    expect(await settledState(first)).toBe('resolved');
    expect(await settledState(second)).toBe('pending');
    // Both late callers share the one next sync.
    expect(started).toHaveLength(2);
    started[1]?.(null);
    await expect(Promise.all([second, third])).resolves.toEqual([undefined, undefined]);
    expect(started).toHaveLength(2);
    await walSync.close();
  });

  it('rejects the callers of a failed sync, and syncs again for the next', async () => {
    const { sync, started } = heldSync();
    const walSync = new WalSync(wal, sync);
    const failing = walSync.durable();
    started[0]?.(new Error('EIO'));
    await expect(failing).rejects.toThrow('EIO');
    const next = walSync.durable();
    expect(started).toHaveLength(2);
    started[1]?.(null);
    await expect(next).resolves.toBeUndefined();
    await walSync.close();
  });

  it('syncs the real file with fdatasync by default', async () => {
    const walSync = new WalSync(wal);
    await expect(Promise.all([walSync.durable(), walSync.durable()])).resolves.toEqual([undefined, undefined]);
    await walSync.close();
    await expect(walSync.durable()).rejects.toThrow('closed');
  });

  it('rejects a sync once the files are no longer in their directory (deleted or replaced while open): nothing synced there survives a restart', async () => {
    const walSync = new WalSync(wal);
    await expect(walSync.durable()).resolves.toBeUndefined();
    rmSync(dir, { recursive: true, force: true });
    await expect(walSync.durable()).rejects.toThrow(/removed from/);
    // A new directory at the same path, with files of the same names, is not where the open files are either.
    mkdirSync(dir);
    writeFileSync(join(dir, 'db.sqlite'), 'pages');
    writeFileSync(wal, 'frames');
    await expect(walSync.durable()).rejects.toThrow(/removed from/);
    await walSync.close();
  });

  it('rejects when the WAL file cannot be opened', async () => {
    const walSync = new WalSync(join(dir, 'missing-wal'));
    await expect(walSync.durable()).rejects.toThrow(/ENOENT/);
  });
});
