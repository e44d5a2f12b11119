import { closeSync, fdatasync, fstatSync, openSync, statSync } from 'node:fs';

/** fdatasync's shape: syncs the file behind `fd`, then calls back. */
export type WalSyncFunction = (fd: number, done: (error: Error | null) => void) => void;

/**
 * Makes commits durable off the event loop: the connection commits with synchronous=NORMAL (no fsync inside COMMIT,
 * which would block the event loop for the fsync's whole duration), then this fdatasyncs the WAL file on libuv's
 * thread pool, as SQLite's synchronous=FULL would have, before anyone is told the commit happened. Commits made while
 * one sync runs share the next one (group commit across turns of the event loop), and the event loop keeps serving
 * requests meanwhile. The WAL is append-only, so a sync covers every commit written before it started.
 */
export class WalSync {
  private fd: number | null = null;
  /** The database file's inode when the WAL was opened: the file the commits go to. */
  private databaseInode: number | null = null;
  private inFlight: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly walFile: string,
    private readonly sync: WalSyncFunction = fdatasync,
  ) {}

  /** Resolves once everything committed before this call is on disk; rejects when the sync failed. */
  durable(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('WalSync is closed'));
    if (!this.inFlight) return this.start();
    // The sync running may have started before the caller's commit: the caller waits for the next, shared by all who ask meanwhile.
    this.next ??= this.inFlight.then(
      () => this.takeNext(),
      () => this.takeNext(),
    );
    return this.next;
  }

  /** Waits for the syncs asked for so far, then releases the file. */
  async close(): Promise<void> {
    await Promise.allSettled([this.inFlight, this.next]);
    this.closed = true;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /**
   * The WAL or the database file no longer where the store opened them (the data directory deleted or replaced while
   * running): the synced frames are in a file no restart will read, so the commit is not durable. Null: both in place.
   */
  private removedFromItsDirectory(): Error | null {
    let moved: boolean;
    try {
      moved = fstatSync(this.fd as number).nlink === 0 || statSync(this.databaseFile).ino !== this.databaseInode;
    } catch {
      moved = true;
    }
    return moved ? Object.assign(new Error(`the event store's file was removed from ${this.databaseFile}`), { code: 'ENOENT' }) : null;
  }

  private get databaseFile(): string {
    return this.walFile.replace(/-wal$/, '');
  }

  private takeNext(): Promise<void> {
    this.next = null;
    return this.start();
  }

  private start(): Promise<void> {
    const running = new Promise<void>((resolve, reject) => {
      try {
        // Opened on first use: the WAL file exists once the connection has committed in WAL mode.
        if (this.fd === null) {
          this.fd = openSync(this.walFile, 'r+');
          this.databaseInode = statSync(this.databaseFile).ino;
        }
      } catch (error) {
        reject(error);
        return;
      }
      this.sync(this.fd, (error) => {
        const removed = error ? null : this.removedFromItsDirectory();
        if (error || removed) reject(error ?? removed);
        else resolve();
      });
    });
    this.inFlight = running;
    const clear = () => {
      if (this.inFlight === running) this.inFlight = null;
    };
    running.then(clear, clear);
    return running;
  }
}
