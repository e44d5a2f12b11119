import type { Database, Transaction } from 'better-sqlite3';
import type { EventStoreUnavailableError } from '@as2-partners/kernel';
import { notSyncedFrom, storeUnavailableFrom } from './store-unavailable';
import type { WalSync } from './wal-sync';

interface Queued {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** Answered at COMMIT with the value and a promise of durability, instead of once durable. */
  readonly atCommit?: boolean;
}

/** A write answered once committed (visible to this connection's later reads and writes), and when it is durable. */
export interface Committed<T> {
  readonly value: T;
  readonly durable: Promise<void>;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** What the store does around a batch: `committed` runs right after COMMIT and answers what to run once it is durable. */
export interface BatchHooks {
  readonly committed: () => () => void;
  readonly rolledBack: () => void;
}

/**
 * Group commit: writes requested in one turn of the event loop (concurrent requests) run in one IMMEDIATE
 * transaction, so they share one commit and one fsync. Each write runs in its own savepoint: one that throws (a wrong
 * expected revision) is rolled back alone and rejects alone; the others commit. Writes still run one after the other
 * inside the transaction, so each sees the ones before it (an expected revision holds or fails as if run alone).
 * With a WalSync, the commit itself does not fsync: the batch's writers are answered once the WAL is synced on the
 * thread pool, while the event loop goes on (and the next batches commit, to share the next sync).
 *
 * A batch the file refused (disk full, I/O error, read-only) rejects its writers with the kernel's
 * EventStoreUnavailableError and is kept as `failure` until a later batch is committed and durable: the store's
 * readiness says so meanwhile.
 */
export class GroupCommit {
  private queue: Queued[] = [];
  private scheduled = false;
  private readonly commitBatch: Transaction<(batch: readonly Queued[]) => Outcome[]>['immediate'];

  private syncing = 0;
  private readonly syncs = new Set<Promise<void>>();
  /** Batches flushed so far; a failure is cleared only by a batch flushed after it. */
  private flushed = 0;
  private lastFailure: { readonly batch: number; readonly error: EventStoreUnavailableError } | null = null;

  constructor(
    db: Database,
    private readonly hooks: BatchHooks,
    /** null: the connection's own commits are durable (synchronous=FULL, or no file). */
    private readonly walSync: WalSync | null = null,
  ) {
    // A transaction function called inside another runs as a savepoint (better-sqlite3).
    const inSavepoint = db.transaction((work: () => unknown) => work());
    this.commitBatch = db.transaction((batch: readonly Queued[]) => {
      const outcomes = batch.map((queued): Outcome => {
        // SQLite rolls the whole transaction back on some errors (a full disk, an I/O error): a write after that would
        // run in a transaction of its own and commit alone. The batch fails instead, every write of it.
        if (!db.inTransaction) return { ok: false, error: null };
        try {
          return { ok: true, value: inSavepoint(queued.work) };
        } catch (error) {
          return { ok: false, error };
        }
      });
      if (!db.inTransaction) throw outcomes.map((outcome) => (outcome.ok ? null : storeUnavailableFrom(outcome.error))).find((error) => error) ?? new Error('the transaction was rolled back');
      return outcomes;
    }).immediate;
  }

  /** The last batch the file refused or could not sync, until a batch flushed after it is committed and durable. */
  get failure(): EventStoreUnavailableError | null {
    return this.lastFailure?.error ?? null;
  }

  /** Runs `work` in the next commit; resolves once that commit is durable. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // setImmediate, not a microtask: requests whose I/O arrived in the same poll phase join this commit.
      setImmediate(() => this.flush());
    });
  }

  /**
   * Runs `work` in the next commit; resolves once committed, with the promise of its durability. For a command that
   * appends again on what it wrote: its next write joins a later commit, whose durability includes this one's.
   */
  runCommitted<T>(work: () => T): Promise<Committed<T>> {
    return new Promise<Committed<T>>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject, atCommit: true });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  /** Resolves once the writes requested so far are committed (or refused), and durable. */
  async idle(): Promise<void> {
    if (this.scheduled) await new Promise<void>((resolve) => setImmediate(resolve));
    await Promise.allSettled([...this.syncs]);
  }

  /** Batches committed whose sync has not finished: what they wrote is visible on this connection but not yet durable. */
  get unsynced(): number {
    return this.syncing;
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    const number = ++this.flushed;
    let outcomes: Outcome[];
    try {
      outcomes = this.commitBatch(batch);
    } catch (error) {
      // The commit itself failed (another process held the lock too long, disk error): nothing was stored.
      this.hooks.rolledBack();
      const refusal = this.noted(number, storeUnavailableFrom(error)) ?? error;
      for (const queued of batch) queued.reject(refusal);
      return;
    }
    // One write the file refused inside its savepoint (the others committed) is the store's failure all the same.
    outcomes = outcomes.map((outcome) => (outcome.ok ? outcome : { ok: false, error: this.noted(number, storeUnavailableFrom(outcome.error)) ?? outcome.error }));
    const whenDurable = this.hooks.committed();
    if (!this.walSync) {
      whenDurable();
      this.clearedBy(number);
      return this.settle(batch, outcomes, Promise.resolve(), true);
    }
    this.syncing += 1;
    const durable = this.walSync.durable().then(
      () => {
        this.syncing -= 1;
        whenDurable();
        this.clearedBy(number);
      },
      (error: unknown) => {
        this.syncing -= 1;
        // Committed, but not known to be on disk: no writer is told its write is durable. The rows are in the file (a
        // restart would show them), so followers are not held back from them.
        whenDurable();
        throw this.noted(number, notSyncedFrom(error));
      },
    );
    // Writers answered at commit hold `durable`; one that drops it must not make an unhandled rejection.
    durable.catch(() => undefined);
    this.settle(batch, outcomes, durable, false);
    const synced = durable.then(
      () => this.settle(batch, outcomes, durable, true),
      (failure: unknown) => {
        for (const queued of batch) if (!queued.atCommit) queued.reject(failure);
      },
    );
    this.syncs.add(synced);
    void synced.finally(() => this.syncs.delete(synced));
  }

  private noted(batch: number, failure: EventStoreUnavailableError | null): EventStoreUnavailableError | null {
    if (failure !== null && (this.lastFailure === null || this.lastFailure.batch <= batch)) this.lastFailure = { batch, error: failure };
    return failure;
  }

  /** A batch committed and durable: a failure of an earlier batch is over (one of its own or a later one's is not). */
  private clearedBy(batch: number): void {
    if (this.lastFailure !== null && this.lastFailure.batch < batch) this.lastFailure = null;
  }

  /** Answers the writers of a batch: those answered at commit when `isDurable` is false, the others once it is true. */
  private settle(batch: readonly Queued[], outcomes: readonly Outcome[], durable: Promise<void>, isDurable: boolean): void {
    batch.forEach((queued, i) => {
      if (!isDurable && !queued.atCommit) return;
      if (isDurable && queued.atCommit && this.walSync) return;
      const outcome = outcomes[i] as Outcome;
      if (!outcome.ok) queued.reject(outcome.error);
      else queued.resolve(queued.atCommit ? { value: outcome.value, durable } : outcome.value);
    });
  }
}
