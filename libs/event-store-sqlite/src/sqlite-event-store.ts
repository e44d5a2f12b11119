import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Connection, Statement } from 'better-sqlite3';
import {
  BackgroundWalCheckpoints,
  WrongExpectedRevisionError,
  type AppendResult,
  type CatchUpSubscriptionOptions,
  type CheckpointStore,
  type CommittedAppend,
  type EventStore,
  type EventMetadata,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  sqliteIntegrityProblem,
  type Subscription,
} from '@as2-partners/kernel';
import { GroupCommit } from './group-commit';
import { PollingSubscription } from './polling-subscription';
import { RecentEvents } from './recent-events';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store';
import { SqliteWriterLock } from './sqlite-writer-lock';
import { EVENT_COLUMNS, fromRowValues, type EventRowValues } from './sqlite-event-row';
import { SqliteSnapshotStore } from './sqlite-snapshot-store';
import { StreamHeads } from './stream-heads';
import { configureConnection, createSchema, syncWalOffTheEventLoop, writeWalHeader } from './sqlite-schema';
import type { WalSync, WalSyncFunction } from './wal-sync';

/** What the readiness check writes while writes fail: more than a group commit of sixteen creates logs (~40 KB). */
export const WRITE_PROBE_BYTES = 64 * 1024;

export interface SqliteEventStoreOptions {
  /**
   * How often a caught-up subscription looks for appends made by other processes. Default 200 ms; 5 s with
   * `exclusiveWriter`, where no other process appends (appends in this process wake subscriptions at once).
   */
  readonly pollIntervalMs?: number;
  /**
   * Take the file's single-writer lock (SqliteWriterLock) for as long as the store is open, so a second process
   * refuses to start instead of relaying every event again. Off by default: the store itself is safe to share.
   */
  readonly exclusiveWriter?: boolean;
  /**
   * How long a subscription woken again soon after a read waits, from that read's start, before it reads again, so
   * the appends of several group commits come in one batch (PollingSubscription). Default 4 ms; 0: read at once.
   */
  readonly gatherMs?: number;
  /** How the WAL file is synced before writers are answered (default fdatasync on the thread pool); tests hold it to look in between. */
  readonly syncWal?: WalSyncFunction;
}

interface StoredPlace {
  readonly id: string;
  readonly revision: number;
  readonly position: number;
}

const NO_LIMIT = -1;
const EXCLUSIVE_WRITER_POLL_MS = 5_000;
const DEFAULT_GATHER_MS = 4;
/** The module the WAL checkpoint thread loads: this one's own better-sqlite3. */
const SQLITE_DRIVER = require.resolve('better-sqlite3');

/** The stores open on each file in this process: an append through one wakes the subscriptions of all of them. */
const openInProcess = new Map<string, Set<SqliteEventStore>>();
/** Per file: the last position made durable by a store of this process, or read from the file at open. */
const durableHeads = new Map<string, number>();
/** Per file: where the streams read or appended in this process end, shared by its stores (each append tells it). */
const streamHeadsOf = new Map<string, StreamHeads>();

/** When a subscription last read the file itself (not this store's recent appends). */
interface FileReads {
  at: number;
}

/** The embedded event store: one SQLite file, shareable by several processes (each opens its own store). */
export class SqliteEventStore implements EventStore {
  private readonly subscriptions = new Set<PollingSubscription>();
  private readonly checkpoints: SqliteCheckpointStore;
  private readonly statements: ReturnType<typeof prepareStatements>;
  // IMMEDIATE takes the write lock before reading a stream's revision, so two connections cannot both pass the check.
  private readonly commits: GroupCommit;
  private readonly recent = new RecentEvents();
  /**
   * The last events subscriptions read from the file, parsed once: subscriptions catching up together (a rebuild of
   * every read model in one pass) read each batch once between them instead of once each.
   */
  private readonly readTogether = new RecentEvents();
  /** Appended in the batch being committed; cached once it is durable. */
  private staged: RecordedEvent[] = [];
  /** Metadata written in the batch being committed, by object (see metadataText); forgotten at its end. */
  private readonly writtenMetadata = new Map<EventMetadata, { readonly text: string; readonly stored: EventMetadata }>();
  /** First position of each committed batch not yet durable, oldest first: subscriptions read only below the first. */
  private readonly unsyncedFrom: number[] = [];
  private closed = false;
  private corruptionChecked = false;
  /** What PRAGMA quick_check found wrong with the file; null while nothing was found. */
  private corruption: string | null = null;
  readonly snapshots: SqliteSnapshotStore;

  private constructor(
    private readonly file: string,
    private readonly db: Connection,
    private readonly pollIntervalMs: number,
    private readonly gatherMs: number,
    private readonly writerLock: SqliteWriterLock | null,
    private readonly walSync: WalSync | null,
    private readonly walCheckpoints: BackgroundWalCheckpoints | null,
  ) {
    this.statements = prepareStatements(db);
    this.commits = new GroupCommit(
      db,
      {
        committed: () => this.committed(),
        rolledBack: () => {
          this.staged = [];
          this.writtenMetadata.clear();
        },
      },
      walSync,
    );
    this.checkpoints = new SqliteCheckpointStore(db, this.commits);
    this.snapshots = new SqliteSnapshotStore(db, this.commits);
    const siblings = openInProcess.get(file) ?? new Set<SqliteEventStore>();
    openInProcess.set(file, siblings.add(this));
    if (!streamHeadsOf.has(file)) streamHeadsOf.set(file, new StreamHeads());
    const head = this.statements.lastPosition.get()?.position ?? 0;
    durableHeads.set(file, Math.max(durableHeads.get(file) ?? 0, head));
  }

  static async open(file: string, options: SqliteEventStoreOptions = {}): Promise<SqliteEventStore> {
    const writerLock = options.exclusiveWriter ? SqliteWriterLock.acquire(file) : null;
    let db: Connection | undefined;
    try {
      db = new Database(file);
      configureConnection(db);
      createSchema(db);
      // The writer's first commit would otherwise create the WAL's header and sync it on the event loop (after a clean stop).
      if (options.exclusiveWriter) writeWalHeader(db);
      const pollIntervalMs = options.pollIntervalMs ?? (options.exclusiveWriter ? EXCLUSIVE_WRITER_POLL_MS : 200);
      const gatherMs = options.gatherMs ?? DEFAULT_GATHER_MS;
      const walSync = syncWalOffTheEventLoop(db, options.syncWal);
      return new SqliteEventStore(resolve(file), db, pollIntervalMs, gatherMs, writerLock, walSync, BackgroundWalCheckpoints.start(db, SQLITE_DRIVER));
    } catch (error) {
      db?.close();
      writerLock?.release();
      throw error;
    }
  }

  async append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError(`append to ${stream}: no events given`);
    if (this.closed) throw new Error('SqliteEventStore is closed');
    return this.commits.run(() => this.appendUnlocked(stream, events, expectedRevision)).catch((error: unknown) => this.forgetHeadOn(stream, error));
  }

  /** Answered at commit: the events are visible to this store's reads and appends, and followed once `durable`. */
  async appendCommitted(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<CommittedAppend> {
    if (events.length === 0) throw new RangeError(`append to ${stream}: no events given`);
    if (this.closed) throw new Error('SqliteEventStore is closed');
    const { value, durable } = await this.commits
      .runCommitted(() => this.appendUnlocked(stream, events, expectedRevision))
      .catch((error: unknown) => this.forgetHeadOn(stream, error));
    return { ...value, durable };
  }

  /** A refused append may have met events this process did not write: the stream's next read asks the file. */
  private forgetHeadOn(stream: string, error: unknown): never {
    if (error instanceof WrongExpectedRevisionError) this.streamHeads.forget(stream);
    throw error;
  }

  private get streamHeads(): StreamHeads {
    return streamHeadsOf.get(this.file) as StreamHeads;
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.maxCount ?? NO_LIMIT;
    if (options.direction === 'backwards') {
      return this.statements.readStreamBackwards.all(stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit).map(fromRowValues);
    }
    const from = options.fromRevision ?? 0;
    // With the writer lock only this process appends: a stream read to its end (a load's "anything new?") needs no query.
    if (this.writerLock !== null && this.streamHeads.endsBefore(stream, from)) return [];
    const rows = this.statements.readStreamForwards.all(stream, from, limit);
    if (limit === NO_LIMIT || rows.length < limit) this.streamHeads.set(stream, rows.at(-1)?.[3] ?? from - 1);
    return rows.map(fromRowValues);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readBatchAfter(options.after ?? null, options.maxCount ?? NO_LIMIT);
  }

  subscribeToAll(options: CatchUpSubscriptionOptions): Subscription {
    if (this.closed) throw new Error('SqliteEventStore is closed');
    const reads: FileReads = { at: 0 };
    const subscription = new PollingSubscription(
      (after, maxCount) => this.nextForSubscription(after, maxCount, reads),
      options,
      this.pollIntervalMs,
      (finished) => this.subscriptions.delete(finished),
      this.gatherMs,
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async lastPosition(): Promise<number | null> {
    return this.statements.lastPosition.get()?.position ?? null;
  }

  /** As many events as readAll would return after `after` (durable ones only), up to `cap`, from the position index alone. */
  async countAfter(after: number | null, cap: number): Promise<number> {
    return this.statements.countAfter.get(after ?? 0, this.unsyncedFrom[0] ?? Number.MAX_SAFE_INTEGER, cap)?.n ?? 0;
  }

  checkpointStore(): CheckpointStore {
    return this.checkpoints;
  }

  /**
   * Throws when the file cannot be read, or cannot be written since a write failed (readiness checks): after such a
   * failure one write of a batch's size (WRITE_PROBE_BYTES) tells whether the store writes again. A one-page write told
   * "ready" on a full disk whose log had room for that page but not for the next create.
   */
  /**
   * Fails once the file was found corrupt (`suspectCorruption`): the events themselves are damaged, which no restart
   * repairs.
   */
  async ping(): Promise<void> {
    if (this.corruption !== null) {
      throw new Error(`the event store file is corrupt (${this.corruption}): a restart does not repair it; stop the service and restore ${this.file} from a backup (README)`);
    }
    this.statements.ping.get();
    if (this.commits.failure === null) return;
    await this.commits.run(() => this.statements.probeWrite.run(WRITE_PROBE_BYTES));
  }

  /**
   * A statement of this process failed with SQLite's corruption error (which file's, the error does not say): checks
   * this file once (PRAGMA quick_check). Whether it is corrupt.
   */
  suspectCorruption(): boolean {
    if (!this.corruptionChecked && !this.closed) {
      this.corruptionChecked = true;
      this.corruption = sqliteIntegrityProblem(this.db);
    }
    return this.corruption !== null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const siblings = openInProcess.get(this.file);
    siblings?.delete(this);
    if (siblings?.size === 0) {
      openInProcess.delete(this.file);
      durableHeads.delete(this.file);
      streamHeadsOf.delete(this.file);
    }
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.commits.idle();
    await this.walSync?.close();
    await this.walCheckpoints?.close();
    this.db.close();
    this.writerLock?.release();
  }

  /** Events after a position, up to the first one not yet durable: nobody follows a write that a crash could still undo. */
  private readBatchAfter(after: number | null, maxCount: number): RecordedEvent[] {
    return this.statements.readAllAfter.all(after ?? 0, this.unsyncedFrom[0] ?? Number.MAX_SAFE_INTEGER, maxCount).map(fromRowValues);
  }

  /**
   * What a subscription reads next: this store's recent appends as parsed once, then what another subscription just
   * read, then the file for the rest, unless nothing durable lies past them (another process appends nothing while this
   * one holds the writer lock; a read of the file every poll interval still finds what one did).
   */
  private nextForSubscription(after: number | null, maxCount: number, reads: FileReads): RecordedEvent[] {
    const cached = this.recent.after(after, maxCount);
    if (cached.length === maxCount) return cached;
    const from = cached.at(-1)?.position ?? after;
    const now = Date.now();
    const nothingPast = this.writerLock !== null && from !== null && from >= (durableHeads.get(this.file) ?? Infinity) && now - reads.at < this.pollIntervalMs;
    if (nothingPast) return cached;
    const shared = this.readTogether.after(from, maxCount - cached.length);
    const known = shared.length > 0 ? cached.concat(shared) : cached;
    if (known.length === maxCount) return known;
    reads.at = now;
    const read = this.readBatchAfter(known.at(-1)?.position ?? after, maxCount - known.length);
    this.readTogether.add(read);
    return known.concat(read);
  }

  /** Right after a batch's COMMIT: its events are followed (cached, subscriptions woken) once they are durable. */
  private committed(): () => void {
    this.walCheckpoints?.committed();
    const appended = this.staged;
    this.staged = [];
    this.writtenMetadata.clear();
    const first = appended[0];
    if (!first) return () => undefined;
    // Read on this connection from now on, durable or not (as readStream reads them).
    for (const event of appended) this.streamHeads.set(event.stream, event.revision);
    this.unsyncedFrom.push(first.position);
    return () => {
      // Batches become durable in commit order (a sync covers every commit before it).
      this.unsyncedFrom.splice(this.unsyncedFrom.indexOf(first.position), 1);
      this.recent.add(appended);
      const last = (appended.at(-1) as RecordedEvent).position;
      durableHeads.set(this.file, Math.max(durableHeads.get(this.file) ?? 0, last));
      for (const store of openInProcess.get(this.file) ?? [this]) store.wakeSubscriptions();
    };
  }

  private wakeSubscriptions(): void {
    for (const subscription of this.subscriptions) subscription.notify();
  }

  private appendUnlocked(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult {
    const retried = this.findEarlierAppend(stream, events);
    if (retried) return retried;

    const actual = this.statements.streamRevision.get(stream)?.revision ?? 'no_stream';
    if (!revisionHolds(expected, actual)) throw new WrongExpectedRevisionError(stream, expected, actual);

    const first = actual === 'no_stream' ? 0 : actual + 1;
    const recorded = new Array<RecordedEvent>(events.length);
    for (let offset = 0; offset < events.length; offset += 1) {
      const event = events[offset] as NewEvent;
      const metadata = this.metadataText(event.metadata);
      const data = JSON.stringify(event.data ?? null);
      const revision = first + offset;
      const position = this.insert(event.id, stream, revision, event.type, event.schemaVersion, data, metadata.text);
      // What a read of the row would give (the JSON text parsed), without reading it.
      recorded[offset] = { id: event.id, type: event.type, schemaVersion: event.schemaVersion, data: JSON.parse(data) as unknown, metadata: metadata.stored, stream, revision, position };
    }
    // Staged only once every insert succeeded: a failing append's savepoint is rolled back, and nothing of it is cached.
    for (const event of recorded) this.staged.push(event);
    return { nextExpectedRevision: first + events.length - 1, position: (recorded[recorded.length - 1] as RecordedEvent).position };
  }

  /**
   * The metadata's JSON text and what a read gives back for it, made once per metadata object in a commit: the events
   * of a command, or the blocks a gateway batch recorded, share one object.
   */
  private metadataText(metadata: EventMetadata): { readonly text: string; readonly stored: EventMetadata } {
    let written = this.writtenMetadata.get(metadata);
    if (written === undefined) {
      const text = JSON.stringify(metadata);
      written = { text, stored: JSON.parse(text) as EventMetadata };
      this.writtenMetadata.set(metadata, written);
    }
    return written;
  }

  /** The original result when every event id is already stored, consecutively and in order, in this stream. */
  private findEarlierAppend(stream: string, events: readonly NewEvent[]): AppendResult | null {
    const [head] = events;
    const first = head && this.statements.placeOfEvent.get(head.id, stream);
    if (!first) return null;
    const stored = this.statements.placesFrom.all(stream, first.revision, events.length);
    const same = stored.length === events.length && stored.every((place, i) => place.id === events[i]?.id);
    const last = stored.at(-1);
    if (!same || !last) return null;
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  private insert(id: string, stream: string, revision: number, type: string, schemaVersion: number, data: string, metadata: string): number {
    try {
      // Positional parameters: better-sqlite3 binds them without reading an object's properties by name.
      return Number(this.statements.insert.run(id, stream, revision, type, schemaVersion, data, metadata).lastInsertRowid);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new Error(`append to ${stream}: event id ${id} is already stored elsewhere`, { cause: error });
      }
      throw error;
    }
  }
}

function revisionHolds(expected: ExpectedRevision, actual: number | 'no_stream'): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 'no_stream';
    case 'stream_exists':
      return actual !== 'no_stream';
    default:
      return actual === expected;
  }
}

function prepareStatements(db: Connection) {
  return {
    insert: db.prepare('INSERT INTO events (id, stream, revision, type, schema_version, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)') as Statement<
      [string, string, number, string, number, string, string]
    >,
    streamRevision: db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream = ?') as Statement<
      [string],
      { revision: number | null }
    >,
    placeOfEvent: db.prepare('SELECT id, revision, position FROM events WHERE id = ? AND stream = ?') as Statement<
      [string, string],
      StoredPlace
    >,
    placesFrom: db.prepare(
      'SELECT id, revision, position FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?',
    ) as Statement<[string, number, number], StoredPlace>,
    readStreamForwards: (db.prepare(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
    ) as Statement<[string, number, number], EventRowValues>).raw(true),
    readStreamBackwards: (db.prepare(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
    ) as Statement<[string, number, number], EventRowValues>).raw(true),
    readAllAfter: (db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? AND position < ? ORDER BY position ASC LIMIT ?`) as Statement<
      [number, number, number],
      EventRowValues
    >).raw(true),
    lastPosition: db.prepare('SELECT MAX(position) AS position FROM events') as Statement<[], { position: number | null }>,
    countAfter: db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE position > ? AND position < ? LIMIT ?)') as Statement<[number, number, number], { n: number }>,
    ping: db.prepare('SELECT 1 AS ok') as Statement<[], { ok: number }>,
    // A write of a batch's size: one row of random bytes, written anew (its pages rewritten, every one of them logged).
    probeWrite: db.prepare('INSERT OR REPLACE INTO write_probe (id, data) VALUES (1, randomblob(?))') as Statement<[number], unknown>,
  };
}
