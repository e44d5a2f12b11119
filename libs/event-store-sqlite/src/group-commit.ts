import type { Database, Transaction } from 'better-sqlite3';

interface Queued {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * Group commit: writes requested in one turn of the event loop (concurrent requests) run in one IMMEDIATE
 * transaction, so they share one commit and one fsync. Each write runs in its own savepoint: one that throws (a wrong
 * expected revision) is rolled back alone and rejects alone; the others commit. Writes still run one after the other
 * inside the transaction, so each sees the ones before it (an expected revision holds or fails as if run alone).
 */
export class GroupCommit {
  private queue: Queued[] = [];
  private scheduled = false;
  private readonly commitBatch: Transaction<(batch: readonly Queued[]) => Outcome[]>['immediate'];

  constructor(
    db: Database,
    /** Called after each batch: committed true, or false when the whole batch was rolled back. */
    private readonly afterBatch: (committed: boolean) => void,
  ) {
    // A transaction function called inside another runs as a savepoint (better-sqlite3).
    const inSavepoint = db.transaction((work: () => unknown) => work());
    this.commitBatch = db.transaction((batch: readonly Queued[]) =>
      batch.map((queued): Outcome => {
        try {
          return { ok: true, value: inSavepoint(queued.work) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    ).immediate;
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

  /** Resolves once the writes requested so far are committed (or refused). */
  idle(): Promise<void> {
    return this.scheduled ? new Promise<void>((resolve) => setImmediate(resolve)) : Promise.resolve();
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.commitBatch(batch);
    } catch (error) {
      // The commit itself failed (another process held the lock too long, disk error): nothing was stored.
      this.afterBatch(false);
      for (const queued of batch) queued.reject(error);
      return;
    }
    this.afterBatch(true);
    batch.forEach((queued, i) => {
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) queued.resolve(outcome.value);
      else queued.reject(outcome.error);
    });
  }
}
