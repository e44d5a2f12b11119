import { Worker } from 'node:worker_threads';

/**
 * At most one background checkpoint of a file this often while commits come. SQLite's own runs every 1,000 pages of WAL,
 * which under creates was every ~250 ms on the read-model file.
 */
export const BACKGROUND_CHECKPOINT_EVERY_MS = 200;

/**
 * The owning connection's own checkpoint threshold while the background ones run: reached only if they fall this far
 * behind (64 MiB of 4 KiB pages), so the WAL stays bounded whatever happens to the thread.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 16_000;

/** SQLite's default, set again when the background checkpoints fail. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1_000;

/** The little of a better-sqlite3 connection this needs. */
export interface WalConnection {
  readonly name: string;
  readonly memory: boolean;
  pragma(source: string, options?: { simple: boolean }): unknown;
}

/**
 * The thread's code: plain JavaScript run from text (`eval`), so it needs no file of its own beside the compiled one. It
 * opens its own connection to each file on first use and runs a PASSIVE checkpoint (never waits for a lock, never blocks
 * the writer) at most every `everyMs` per registration, answering each request once done.
 */
const CHECKPOINT_THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const registrations = new Map();
function checkpoint(id, file, state) {
  state.timer = null;
  let error = null;
  try {
    state.db = state.db || new Database(file, { fileMustExist: true });
    state.db.pragma('wal_checkpoint(PASSIVE)');
  } catch (failure) {
    error = String((failure && failure.message) || failure);
  }
  state.lastAt = performance.now();
  parentPort.postMessage({ op: 'checkpointed', id, error });
}
parentPort.on('message', (message) => {
  const { op, id } = message;
  if (op === 'checkpoint') {
    let state = registrations.get(id);
    if (!state) registrations.set(id, (state = { db: null, lastAt: -Infinity, timer: null }));
    if (state.timer) return;
    const wait = Math.max(0, state.lastAt + message.everyMs - performance.now());
    state.timer = setTimeout(() => checkpoint(id, message.file, state), wait);
  } else if (op === 'close') {
    const state = registrations.get(id);
    registrations.delete(id);
    if (state) {
      clearTimeout(state.timer);
      try {
        if (state.db) state.db.close();
      } catch {}
    }
    parentPort.postMessage({ op: 'closed', id });
  }
});
`;

type FromThread = { readonly op: 'checkpointed'; readonly id: number; readonly error: string | null } | { readonly op: 'closed'; readonly id: number };

/** The one checkpoint thread of this process, started by the first registration and ended with the last. */
class CheckpointThread {
  private static current: CheckpointThread | null = null;
  private static nextId = 1;
  private readonly worker: Worker;
  private readonly registrations = new Map<number, BackgroundWalCheckpoints>();
  private readonly closing = new Map<number, () => void>();
  private ended = false;

  private constructor(driver: string) {
    this.worker = new Worker(CHECKPOINT_THREAD_SOURCE, { eval: true, workerData: { driver } });
    this.worker.on('message', (message: FromThread) => this.received(message));
    this.worker.on('error', (error) => this.end(error));
    this.worker.on('exit', (code) => this.end(new Error(`the WAL checkpoint thread exited with code ${code}`)));
    // After the listeners: adding a 'message' listener refs the thread again.
    this.worker.unref();
  }

  static register(registration: BackgroundWalCheckpoints, driver: string): { readonly thread: CheckpointThread; readonly id: number } {
    if (CheckpointThread.current === null || CheckpointThread.current.ended) CheckpointThread.current = new CheckpointThread(driver);
    const thread = CheckpointThread.current;
    const id = CheckpointThread.nextId++;
    thread.registrations.set(id, registration);
    return { thread, id };
  }

  request(id: number, file: string, everyMs: number): void {
    this.worker.postMessage({ op: 'checkpoint', id, file, everyMs });
  }

  /** Resolves once the thread closed the registration's connection (at once when the thread is gone). */
  unregister(id: number): Promise<void> {
    this.registrations.delete(id);
    if (this.ended) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.closing.set(id, resolve));
    // Held while a close waits for its answer: an unref'd thread's message would not keep a process that awaits it alive.
    this.worker.ref();
    this.worker.postMessage({ op: 'close', id });
    return closed.then(() => {
      if (this.closing.size === 0) this.worker.unref();
      if (this.registrations.size > 0 || this.closing.size > 0 || this.ended) return;
      // The last one: the thread ends with it (a later registration starts another).
      this.ended = true;
      if (CheckpointThread.current === this) CheckpointThread.current = null;
      void this.worker.terminate();
    });
  }

  private received(message: FromThread): void {
    if (message.op === 'closed') {
      this.closing.get(message.id)?.();
      this.closing.delete(message.id);
      return;
    }
    const registration = this.registrations.get(message.id);
    if (!registration) return;
    if (message.error === null) registration.checkpointed();
    else registration.failed(new Error(message.error));
  }

  /** The thread failed or exited: every registration checkpoints on its own connection again. */
  private end(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    if (CheckpointThread.current === this) CheckpointThread.current = null;
    for (const registration of this.registrations.values()) registration.failed(error);
    this.registrations.clear();
    for (const resolve of this.closing.values()) resolve();
    this.closing.clear();
  }
}

/**
 * WAL checkpoints of one connection's file run on a background thread instead of inside that connection's commits.
 * SQLite checkpoints a WAL file in the COMMIT that makes it pass 1,000 pages: it copies the pages into the database file
 * and syncs both files, on the event loop (under creates: one commit in ten of the read-model file took 5–20 ms, ~4 % of
 * the event loop). Here the owning connection tells `committed()` after its commits and the thread runs a PASSIVE
 * checkpoint (it takes no lock a writer waits for) on a connection of its own, at most every
 * BACKGROUND_CHECKPOINT_EVERY_MS; the connection keeps a checkpoint of its own only past FALLBACK_AUTOCHECKPOINT_PAGES,
 * and goes back to SQLite's default if the thread fails. Durability is unchanged: a checkpoint syncs the WAL before it
 * copies any page, and a commit is durable once its WAL frames are synced, as before. `close()` before the connection
 * closes, so the connection, the file's last, checkpoints and removes the WAL as it did.
 */
export class BackgroundWalCheckpoints {
  private readonly thread: CheckpointThread;
  private readonly id: number;
  private requested = false;
  private running = true;
  private closed: Promise<void> | null = null;
  private lastFailure: Error | null = null;

  private constructor(
    private readonly db: WalConnection,
    driver: string,
    private readonly everyMs: number,
  ) {
    db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    ({ thread: this.thread, id: this.id } = CheckpointThread.register(this, driver));
  }

  /**
   * For a connection to a WAL file, `driver` the path of the better-sqlite3 module the thread loads (`require.resolve`);
   * null for one in memory or not in WAL mode, which has nothing to checkpoint.
   */
  static start(db: WalConnection, driver: string, everyMs = BACKGROUND_CHECKPOINT_EVERY_MS): BackgroundWalCheckpoints | null {
    if (db.memory || db.pragma('journal_mode', { simple: true }) !== 'wal') return null;
    return new BackgroundWalCheckpoints(db, driver, everyMs);
  }

  /** Why the background checkpoints stopped (the connection checkpoints on its own since); null while they run. */
  get failure(): Error | null {
    return this.lastFailure;
  }

  /** The connection committed: a checkpoint is asked for unless one is already (it covers this commit's frames too). */
  committed(): void {
    if (this.requested || !this.running) return;
    this.requested = true;
    this.thread.request(this.id, this.db.name, this.everyMs);
  }

  /** Called by the thread. */
  checkpointed(): void {
    this.requested = false;
  }

  /** Called by the thread: its checkpoints of this file failed (or it is gone), so the connection checkpoints again. */
  failed(error: Error): void {
    if (!this.running) return;
    this.running = false;
    this.lastFailure = error;
    try {
      this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    } catch {
      // The connection is closing or closed: nothing to checkpoint any more.
    }
  }

  /** Resolves once the thread closed its connection to the file: before the owning connection closes. */
  close(): Promise<void> {
    this.running = false;
    this.closed ??= this.thread.unregister(this.id);
    return this.closed;
  }
}
