import { closeSync, fdatasync, openSync } from 'node:fs';

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

  private takeNext(): Promise<void> {
    this.next = null;
    return this.start();
  }

  private start(): Promise<void> {
    const running = new Promise<void>((resolve, reject) => {
      try {
        // Opened on first use: the WAL file exists once the connection has committed in WAL mode.
        this.fd ??= openSync(this.walFile, 'r+');
      } catch (error) {
        reject(error);
        return;
      }
      this.sync(this.fd, (error) => (error ? reject(error) : resolve()));
    });
    this.inFlight = running;
    const clear = () => {
      if (this.inFlight === running) this.inFlight = null;
    };
    running.then(clear, clear);
    return running;
  }
}
