import type { Database as Connection, Statement } from 'better-sqlite3';
import Database from 'better-sqlite3';
import {
  WrongExpectedRevisionError,
  type AppendResult,
  type CatchUpSubscriptionOptions,
  type CommittedAppend,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type Subscription,
} from '@as2-partners/kernel';
import { GroupCommit } from '../../../libs/event-store-sqlite/src/group-commit';
import { EVENT_COLUMNS, fromRowValues, type EventRowValues } from '../../../libs/event-store-sqlite/src/sqlite-event-row';
import { configureConnection, createSchema } from '../../../libs/event-store-sqlite/src/sqlite-schema';
import { SqliteSnapshotStore } from '../../../libs/event-store-sqlite/src/sqlite-snapshot-store';

/** Events written per transaction by default: a few thousand rows share one commit. */
export const DEFAULT_FLUSH_EVERY = 5_000;

/**
 * The embedded event store's file written in bulk, for seeding a benchmark's data through the real write model:
 * appends are checked (expected revision) and numbered as SqliteEventStore does, held in memory, and inserted a few
 * thousand rows per transaction with the same row format, positions and snapshots table. Not durable until `close`
 * (synchronous=OFF while loading: a seed that crashes is seeded again). No followers: it is not an app's store.
 */
export class BulkAppendStore implements EventStore {
  private pending: EventRowValues[] = [];
  /** Events of each stream not yet inserted, in revision order. */
  private readonly pendingByStream = new Map<string, EventRowValues[]>();
  private nextPosition: number;
  private readonly insert: Statement<[...EventRowValues]>;
  private readonly maxRevision: Statement<[string], { revision: number | null }>;
  private readonly forwards: Statement<[string, number, number], EventRowValues>;
  private readonly backwards: Statement<[string, number, number], EventRowValues>;
  private readonly after: Statement<[number, number], EventRowValues>;
  private readonly insertAll: (rows: readonly EventRowValues[]) => void;
  private readonly snapshotCommits: GroupCommit;
  readonly snapshots: SqliteSnapshotStore;
  /** Events inserted so far, and transactions used. */
  written = 0;
  transactions = 0;

  private constructor(
    private readonly db: Connection,
    private readonly flushEvery: number,
  ) {
    this.insert = db.prepare(`INSERT INTO events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.maxRevision = db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream = ?');
    this.forwards = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`).raw(true) as Statement<[string, number, number], EventRowValues>;
    this.backwards = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`).raw(true) as Statement<[string, number, number], EventRowValues>;
    this.after = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(true) as Statement<[number, number], EventRowValues>;
    this.insertAll = db.transaction((rows: readonly EventRowValues[]) => {
      for (const row of rows) this.insert.run(...row);
    });
    this.snapshotCommits = new GroupCommit(db, { committed: () => () => undefined, rolledBack: () => undefined });
    this.snapshots = new SqliteSnapshotStore(db, this.snapshotCommits);
    const last = (db.prepare('SELECT MAX(position) AS position FROM events').get() as { position: number | null }).position;
    this.nextPosition = (last ?? 0) + 1;
  }

  static open(file: string, options: { readonly flushEvery?: number } = {}): BulkAppendStore {
    const db = new Database(file);
    configureConnection(db);
    createSchema(db);
    // Durability comes once, at close (a checkpoint and a synced file), not per commit.
    db.pragma('synchronous = OFF');
    return new BulkAppendStore(db, options.flushEvery ?? DEFAULT_FLUSH_EVERY);
  }

  async append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError(`append to ${stream}: no events given`);
    const held = this.pendingByStream.get(stream);
    const actual = held ? (held.at(-1) as EventRowValues)[3] : (this.maxRevision.get(stream)?.revision ?? 'no_stream');
    if (!revisionHolds(expectedRevision, actual)) throw new WrongExpectedRevisionError(stream, expectedRevision, actual);
    const first = actual === 'no_stream' ? 0 : actual + 1;
    const rows = events.map((event, offset) => rowOf(this.nextPosition++, stream, first + offset, event));
    this.pending.push(...rows);
    if (held) held.push(...rows);
    else this.pendingByStream.set(stream, rows);
    const result = { nextExpectedRevision: first + events.length - 1, position: (rows.at(-1) as EventRowValues)[0] };
    if (this.pending.length >= this.flushEvery) this.flush();
    return result;
  }

  async appendCommitted(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<CommittedAppend> {
    return { ...(await this.append(stream, events, expectedRevision)), durable: Promise.resolve() };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.maxCount ?? -1;
    if (options.direction === 'backwards') {
      this.flush();
      return this.backwards.all(stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit).map(fromRowValues);
    }
    const from = options.fromRevision ?? 0;
    const held = this.pendingByStream.get(stream) ?? [];
    const firstHeld = held[0]?.[3] ?? Number.MAX_SAFE_INTEGER;
    const stored = from < firstHeld ? this.forwards.all(stream, from, limit).filter((row) => row[3] < firstHeld) : [];
    const rows = stored.concat(held.filter((row) => row[3] >= from));
    return (limit < 0 ? rows : rows.slice(0, limit)).map(fromRowValues);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.flush();
    return this.after.all(options.after ?? 0, options.maxCount ?? -1).map(fromRowValues);
  }

  subscribeToAll(_options: CatchUpSubscriptionOptions): Subscription {
    throw new Error('BulkAppendStore has no followers: seed with projections off, then rebuild the read models');
  }

  async lastPosition(): Promise<number | null> {
    return this.nextPosition > 1 ? this.nextPosition - 1 : null;
  }

  /** Inserts what is held, in one transaction. */
  flush(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.pendingByStream.clear();
    this.insertAll(rows);
    this.written += rows.length;
    this.transactions++;
  }

  /** Inserts the rest, checkpoints the WAL into the file and syncs it. */
  async close(): Promise<void> {
    this.flush();
    await this.snapshotCommits.idle();
    this.db.pragma('synchronous = FULL');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}

function revisionHolds(expected: ExpectedRevision, actual: number | 'no_stream'): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === 'no_stream';
  if (expected === 'stream_exists') return actual !== 'no_stream';
  return actual === expected;
}

/** The columns the SQLite event store writes for an event (its append binds the same values), in `EVENT_COLUMNS` order. */
function rowOf(position: number, stream: string, revision: number, event: NewEvent): EventRowValues {
  return [position, event.id, stream, revision, event.type, event.schemaVersion, JSON.stringify(event.data ?? null), JSON.stringify(event.metadata)];
}
