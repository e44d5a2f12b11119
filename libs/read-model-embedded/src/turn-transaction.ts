import type { Database, Statement } from 'better-sqlite3';
import { ReadModelStoreFailedError } from './read-model-store-failed.error';

/**
 * The shortest time between two commits of the read store. Under load (creates arriving without pause) the turns of
 * that span share one commit: the pages their writes dirty again and again (the table's last leaf, each index's
 * insertion points, the trigram index's new segment) are written to the WAL once, not once per turn (three creates a
 * turn at 16 connections before; with PendingSearchTexts ~10 % less CPU a create, docs/benchmarks.md). 100 ms rather
 * than 20: the commit's share of a create's event loop halves again (6.1–7.5 % to 3.3–3.5 %), for a crash window of
 * 100 ms of read-model writes that the followers apply again. A turn after a quiet spell commits when it ends.
 * Nothing waits for a commit: reads go through the same connection (one process owns the file) and see the open
 * transaction; a crash loses at most this span of read-model writes, which the followers apply again from the
 * checkpoints committed with the documents.
 */
export const COMMIT_INTERVAL_MS = 100;

/**
 * Group commit for the read store: every write made on the connection in one turn of the event loop (the events a
 * subscription hands its followers at once, every projection's documents) runs in one transaction, committed when
 * the turn ends (or, under load, once COMMIT_INTERVAL_MS passed since the last commit); checkpoints saved in it are
 * written in the same transaction, so after a crash the documents and the position they reflect are both there or
 * both not. Reads on the connection see the open transaction's writes, so read-your-writes needs no commit.
 */
export class TurnTransaction {
  private open = false;
  private readonly checkpoints = new Map<string, number>();
  private readonly saveCheckpoint: Statement<[string, number]>;
  /** The last commit that failed (its writes and checkpoints are lost): the store reports it until a restart. */
  private failed: unknown = null;
  /** Called when a commit failed and its writes were undone (the collections tell their write listeners). */
  readonly onRollback: (() => void)[] = [];
  /** Called after each commit. */
  readonly onCommit: (() => void)[] = [];
  /**
   * Writes held back in memory and written at once (a bulk load's rows, in multi-row statements): each is called before
   * the transaction commits, and whenever a reader needs the table to hold them (`flushHeld`). One that throws fails the
   * transaction as a failed commit does.
   */
  readonly heldWrites: (() => void)[] = [];
  /** Set during a bulk load: the transaction stays open across turns until this many writes were made in it. */
  private writesPerCommit: number | null = null;
  private writes = 0;
  private commitScheduled = false;
  /** The scheduled commit's timer while it waits for the interval (null: none, or at the end of this turn). */
  private commitTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the last commit ended (performance.now()). */
  private lastCommitAt = Number.NEGATIVE_INFINITY;
  /** Who waits for the open transaction to commit (`committed`): resolved by its commit, rejected by its failure. */
  private commitWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  /**
   * `commitIntervalMs`: COMMIT_INTERVAL_MS but in tests that need a commit per turn whatever the timing; `removed`: why
   * the file can no longer be committed to (removed from its directory), checked before each commit.
   */
  constructor(
    private readonly db: Database,
    private readonly commitIntervalMs = COMMIT_INTERVAL_MS,
    private readonly removed: () => Error | null = () => null,
  ) {
    this.saveCheckpoint = db.prepare(
      'INSERT INTO read_model_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    );
  }

  get failure(): unknown {
    return this.failed;
  }

  /**
   * Resolves once every write made so far is committed (at once when no transaction is open); rejects if its commit
   * fails, and from then on until a restart: writes made before the failure are lost with it, so whoever asks after
   * (an outbox relay about to save its checkpoint past the events its consumers wrote for) must not hear they are in.
   * `soon`: the commit comes at the end of this turn instead of once COMMIT_INTERVAL_MS has passed (outside a bulk
   * load, whose commits follow its writes).
   */
  committed(soon = false): Promise<void> {
    if (this.failed !== null) return Promise.reject(this.failedError());
    if (!this.open) return Promise.resolve();
    const settled = new Promise<void>((resolve, reject) => this.commitWaiters.push({ resolve, reject }));
    if (soon && this.writesPerCommit === null) this.scheduleCommit(true);
    return settled;
  }

  /**
   * Runs a write in this turn's transaction, opening it (and scheduling its commit) if none is open. Refused once a
   * transaction failed: the followers' positions are then past what the file holds, and a later commit would store
   * their checkpoints without the documents lost with it; a restart re-applies from the checkpoints committed before.
   * A write after which SQLite rolled the whole transaction back (a full disk, an I/O error: SQLite may undo more than
   * the statement) fails the transaction at once, so no later write of the turn runs outside it and commits alone.
   */
  write<T>(work: () => T): T {
    this.refuseAfterFailure();
    this.begin();
    this.writes += 1;
    if (this.writesPerCommit !== null && this.writes >= this.writesPerCommit) this.scheduleCommit();
    try {
      return work();
    } catch (error) {
      if (!this.db.inTransaction) this.fail(error);
      throw error;
    }
  }

  private refuseAfterFailure(): void {
    if (this.failed !== null) throw this.failedError();
  }

  private failedError(): ReadModelStoreFailedError {
    return new ReadModelStoreFailedError(`a read-model transaction failed, restart to re-apply from the stored checkpoints: ${String(this.failed)}`, { cause: this.failed });
  }

  /**
   * A bulk load (a rebuild, nothing serving queries): one transaction per `writesPerCommit` writes instead of one per
   * turn, so the pages a load touches again and again are written once per batch, not once per turn. Still committed at
   * the end of a turn, with the checkpoints saved in it: after a crash the documents and their positions still agree.
   */
  holdCommitsFor(writesPerCommit: number): void {
    this.writesPerCommit = writesPerCommit;
  }

  /** The bulk load ended: what it wrote is committed now, and later turns commit as they end again. */
  endHold(): void {
    this.writesPerCommit = null;
    this.commit();
  }

  /** Records a follower's position, written in this turn's transaction just before its commit. */
  savePosition(name: string, position: number): void {
    this.refuseAfterFailure();
    this.begin();
    this.checkpoints.set(name, position);
  }

  /** A position saved in this turn and not yet committed. */
  pendingPosition(name: string): number | undefined {
    return this.checkpoints.get(name);
  }

  forgetPosition(name: string): void {
    this.checkpoints.delete(name);
  }

  /** Commits what the turn wrote (the held writes first); also called before the connection closes. */
  commit(): void {
    if (!this.open) return;
    try {
      for (const flush of this.heldWrites) flush();
      if (!this.db.inTransaction) throw new Error('the read store transaction was rolled back by SQLite');
      const removed = this.removed();
      if (removed !== null) throw removed;
      for (const [name, position] of this.checkpoints) this.saveCheckpoint.run(name, position);
      this.db.exec('COMMIT');
      for (const listener of this.onCommit) listener();
      this.lastCommitAt = performance.now();
      this.open = false;
      this.writes = 0;
      this.checkpoints.clear();
    } catch (error) {
      this.fail(error);
      return;
    }
    this.settleCommitWaiters(true);
  }

  /** Writes every held write into the open transaction (a bulk load's end), as `writeHeld` does. */
  flushHeld(): void {
    this.writeHeld(() => {
      for (const flush of this.heldWrites) flush();
    });
  }

  /**
   * Runs `flush`, which writes held writes into the open transaction (a reader is about to read what they wrote). A
   * write SQLite refuses fails the transaction as a failed commit does (everything written since the last commit
   * undone, the failure kept) and is thrown to the reader.
   */
  writeHeld(flush: () => void): void {
    if (!this.open) return;
    this.refuseAfterFailure();
    try {
      flush();
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  /** The open transaction failed: its writes and checkpoints are undone, the failure is reported until a restart. */
  private fail(error: unknown): void {
    this.open = false;
    this.writes = 0;
    this.checkpoints.clear();
    this.failed = error;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    for (const listener of this.onRollback) listener();
    this.settleCommitWaiters(false, error);
  }

  /** Tells whoever waits for the transaction that ended (`committed`) how it ended: committed, or failed with `error`. */
  private settleCommitWaiters(committed: boolean, error?: unknown): void {
    const waiters = this.commitWaiters;
    this.commitWaiters = [];
    for (const waiter of waiters) {
      if (committed) waiter.resolve();
      else waiter.reject(error);
    }
  }

  private begin(): void {
    if (this.open) return;
    this.db.exec('BEGIN IMMEDIATE');
    this.open = true;
    if (this.writesPerCommit === null) this.scheduleCommit();
  }

  /** `now`: at the end of this turn, a commit waiting for the interval brought forward. */
  private scheduleCommit(now = false): void {
    if (this.commitScheduled && !(now && this.commitTimer !== null)) return;
    if (this.commitTimer !== null) clearTimeout(this.commitTimer);
    this.commitTimer = null;
    this.commitScheduled = true;
    const commit = (): void => {
      this.commitScheduled = false;
      this.commitTimer = null;
      this.commit();
    };
    // setImmediate, not a microtask: every follower handed events in this turn (and the waits they release) joins it.
    const wait = now ? 0 : this.lastCommitAt + this.commitIntervalMs - performance.now();
    if (wait > 0) this.commitTimer = setTimeout(commit, Math.ceil(wait));
    else setImmediate(commit);
  }
}
