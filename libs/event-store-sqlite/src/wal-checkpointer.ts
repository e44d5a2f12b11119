import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';

/**
 * The WAL size (in pages) past which the writing connection still checkpoints itself, on the event loop: only when the
 * checkpointer has fallen that far behind (SQLite's own default is 1,000 pages, ~4 MB).
 */
export const WRITER_AUTOCHECKPOINT_PAGES = 16_384;
/** How often the checkpointer looks at the WAL file. */
export const CHECKPOINT_EVERY_MS = 1_000;
/**
 * It checkpoints when the WAL file grew this much since its last checkpoint (SQLite's own rhythm: 1,000 pages), or
 * when it changed and this long has passed: a steady load checkpoints every few seconds, not at every look.
 */
export const CHECKPOINT_WAL_GROWTH_BYTES = 4 * 1024 * 1024;
export const CHECKPOINT_AT_LEAST_EVERY_MS = 5_000;

/** What one checkpoint did (PRAGMA wal_checkpoint's row): frames in the WAL, and of them, now in the database file. */
export interface CheckpointResult {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

/**
 * The checkpointer's thread: its own connection to the file, a PASSIVE checkpoint (it never waits for the writer or
 * readers) when the WAL changed since the last one, or when asked. Plain JavaScript, run from source text, so the same
 * code runs from the build and under the tests' TypeScript loader.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = ${5_000}');
let lastSize = 0;
let lastMtime = 0;
let lastAt = Date.now();
let timer = null;
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
const tick = () => {
  try {
    const stat = statSync(workerData.file + '-wal', { throwIfNoEntry: false });
    const changed = stat !== undefined && stat.mtimeMs !== lastMtime;
    if (changed && (stat.size >= lastSize + workerData.growthBytes || Date.now() - lastAt >= workerData.atLeastEveryMs)) {
      checkpoint();
      lastSize = stat.size;
      lastMtime = stat.mtimeMs;
      lastAt = Date.now();
    }
  } catch (error) {
    parentPort.postMessage({ failed: String(error) });
  }
  timer = setTimeout(tick, workerData.everyMs);
};
timer = setTimeout(tick, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message.checkpoint !== undefined) {
    try {
      parentPort.postMessage({ id: message.checkpoint, result: checkpoint() });
    } catch (error) {
      parentPort.postMessage({ id: message.checkpoint, failed: String(error) });
    }
  } else if (message.stop) {
    clearTimeout(timer);
    db.close();
    parentPort.postMessage({ stopped: true });
    parentPort.close();
  }
});
`;

/**
 * Moves the WAL's checkpoints off the event loop. SQLite checkpoints in the connection whose commit took the WAL past
 * 1,000 pages, inside that COMMIT: it copies the WAL's pages into the database file and syncs both, on the event loop.
 * A hub directory's snapshot save (24.6 MB at 214,000 entries) held it 330–480 ms that way, nearly all of it waiting
 * for the disk. Here the writing connection checkpoints itself only past WRITER_AUTOCHECKPOINT_PAGES (a checkpointer
 * fallen behind), and a worker thread with its own connection checkpoints when the WAL grew CHECKPOINT_WAL_GROWTH_BYTES
 * or changed CHECKPOINT_AT_LEAST_EVERY_MS after the last checkpoint (looked at every CHECKPOINT_EVERY_MS).
 * A PASSIVE checkpoint waits for no one: the writer and the readers go on meanwhile, as with SQLite's own.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (result: CheckpointResult) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private exited = false;
  private readonly exits: (() => void)[] = [];
  private stopped: Promise<void> | null = null;

  /** Starts checkpointing the file `writer` writes (a connection in WAL mode, on a file). */
  constructor(writer: Database, options: { readonly everyMs?: number; readonly growthBytes?: number; readonly atLeastEveryMs?: number } = {}) {
    writer.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file: writer.name,
        driver: require.resolve('better-sqlite3'),
        everyMs: options.everyMs ?? CHECKPOINT_EVERY_MS,
        growthBytes: options.growthBytes ?? CHECKPOINT_WAL_GROWTH_BYTES,
        atLeastEveryMs: options.atLeastEveryMs ?? CHECKPOINT_AT_LEAST_EVERY_MS,
      },
    });
    // Never what keeps a process alive.
    this.worker.unref();
    this.worker.on('message', (message: { id?: number; result?: CheckpointResult; failed?: string; stopped?: boolean }) => {
      if (message.stopped) void this.worker.terminate();
      if (message.id === undefined) return;
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.failed !== undefined) waiter?.reject(new Error(message.failed));
      else if (message.result) waiter?.resolve(message.result);
    });
    // A checkpointer that fails leaves the writer's own checkpoints (past WRITER_AUTOCHECKPOINT_PAGES) to keep the WAL bounded.
    this.worker.on('error', () => undefined);
    this.worker.on('exit', () => {
      this.exited = true;
      for (const [, waiter] of this.waiting) waiter.reject(new Error('the WAL checkpointer stopped'));
      this.waiting.clear();
      for (const exit of this.exits.splice(0)) exit();
    });
  }

  /** A checkpoint now, on the checkpointer's thread (tests). */
  checkpointNow(): Promise<CheckpointResult> {
    if (this.exited) return Promise.reject(new Error('the WAL checkpointer stopped'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ checkpoint: id });
    });
  }

  /** Stops the thread and closes its connection (before the writer's connection closes). */
  close(): Promise<void> {
    this.stopped ??= this.exited
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          this.exits.push(resolve);
          this.worker.postMessage({ stop: true });
        });
    return this.stopped;
  }
}
