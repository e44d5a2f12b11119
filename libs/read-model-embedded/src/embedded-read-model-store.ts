import { BackgroundWalCheckpoints, sqliteIntegrityProblem, type CheckpointStore, type KeptTexts, type ParkedEventStore, type ReadModelCollection, type ReadModelDocument, type ReadModelStore, type SearchIndex, type WriteListener } from '@as2-partners/kernel';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { EmbeddedCheckpointStore } from './embedded-checkpoint-store';
import { EmbeddedKeptTexts } from './embedded-kept-texts';
import { keepQueries, keptQueriesOf, type KeptQueries } from './kept-queries';
import { EmbeddedParkedEventStore } from './embedded-parked-event-store';
import { BulkLoadState, CLEAR_BY_REWRITE_FROM_ROWS } from './bulk-load-state';
import { CollectionCatalog } from './collection-catalog';
import { EmbeddedReadModelCollection } from './embedded-read-model-collection';
import { PendingSearchTexts } from './pending-search-texts';
import { ReadModelDocumentTable } from './read-model-document-table';
import { COMMIT_INTERVAL_MS, TurnTransaction } from './turn-transaction';
import { configureReadModelConnection, createReadModelSchema, startReadModelSession } from './read-model-sqlite-schema';
import { markCorrupt } from './sqlite-corruption';
import { ReadModelStoreFailedError, removalCheck } from './read-model-store-failed.error';

/** Writes per transaction during a bulk load: the pages of a collection's indexes written once per batch, not per turn. */
const BULK_LOAD_WRITES_PER_COMMIT = 20_000;
/** Page cache during a bulk load (negative: KiB), so a batch's dirty index pages stay in memory until its commit. */
const BULK_LOAD_CACHE_KIB = -262_144;
/**
 * The file mapped into memory during a bulk load (SQLite's largest, 2 GiB): pages read without a read call and a copy
 * each (measured when a load built every index at its end: ~7.8 → ~5.2 s of CPU for the 62 builds at 200,000 partner
 * views; the indexes now stay up during a load, and the mapping was not measured again).
 */
const BULK_LOAD_MMAP_BYTES = 2_147_418_112;
/** The module the WAL checkpoint thread loads: this one's own better-sqlite3. */
const SQLITE_DRIVER = require.resolve('better-sqlite3');

/**
 * Read models for embedded mode: documents live in one SQLite file and nowhere else; MongoDB query documents
 * run through the declared indexes in SQLite, the rest of a filter through a JavaScript fast path or mingo.
 * One process owns a file (its count caches would not see another's writes). The writes of one event-loop turn
 * share one transaction with the checkpoints saved in it (group commit, TurnTransaction).
 */
export class EmbeddedReadModelStore implements ReadModelStore {
  private readonly collections = new Map<string, EmbeddedReadModelCollection<ReadModelDocument>>();
  private readonly checkpoints: EmbeddedCheckpointStore;
  private readonly parked: EmbeddedParkedEventStore;
  private readonly turn: TurnTransaction;
  /** The file's WAL checkpoints, off the event loop; null in memory. */
  private readonly walCheckpoints: BackgroundWalCheckpoints | null;
  /** The trigram index's changes of the open transaction, written at its commit (registered first: before any collection's held rows). */
  private readonly searchTexts: PendingSearchTexts;
  private closed = false;
  /** The file was checked after a corruption error (once a run). */
  private corruptionChecked = false;
  /** What PRAGMA quick_check found wrong with the file; null while nothing was found. */
  private corrupt: string | null = null;
  private scratch: Database.Database | null = null;
  private readonly kept = new Map<string, EmbeddedKeptTexts>();
  /** What the last clean stop learnt of each collection's queries, when no other run opened the file since; taken by the collection's first opening. */
  private readonly carriedQueries: Map<string, KeptQueries>;
  /** Why the file can no longer be written (removed from its directory while open), checked by commits, pings and decisions. */
  private readonly removed: (() => ReadModelStoreFailedError | null) | undefined;

  private constructor(
    private readonly file: string,
    private readonly db: Database.Database,
    private readonly table: ReadModelDocumentTable,
    private readonly catalog: CollectionCatalog,
    /** This run's session id in the file, and the one the file had before (null: a new or throwaway store). */
    private readonly session: string,
    private readonly previousSession: string | null,
    /** Rows a bulk load's clear must find to empty the table whole (CLEAR_BY_REWRITE_FROM_ROWS). */
    private readonly clearByRewriteFromRows: number,
    /** The shortest time between two commits (COMMIT_INTERVAL_MS). */
    commitIntervalMs: number,
  ) {
    this.removed = removalCheck(file);
    this.turn = new TurnTransaction(db, commitIntervalMs, this.removed);
    this.walCheckpoints = BackgroundWalCheckpoints.start(db, SQLITE_DRIVER);
    this.turn.onCommit.push(() => this.walCheckpoints?.committed());
    this.searchTexts = new PendingSearchTexts(table, this.turn);
    // a failed commit undid writes whose `seq`s a bulk load kept search texts under
    this.turn.onRollback.push(() => this.catalog.bulkLoad?.allDoubtful());
    this.checkpoints = new EmbeddedCheckpointStore(db, this.turn);
    this.parked = new EmbeddedParkedEventStore(db);
    this.carriedQueries = previousSession === null ? new Map() : keptQueriesOf(db, previousSession);
  }

  /**
   * Opens (or creates) the store file, `:memory:` for a throwaway store. `clearByRewriteFromRows`: see
   * CLEAR_BY_REWRITE_FROM_ROWS; `commitIntervalMs`: see COMMIT_INTERVAL_MS (tests).
   */
  static async open(file: string, options: { readonly clearByRewriteFromRows?: number; readonly commitIntervalMs?: number } = {}): Promise<EmbeddedReadModelStore> {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      configureReadModelConnection(db);
      createReadModelSchema(db);
      const session = randomUUID();
      const previousSession = file === ':memory:' ? null : startReadModelSession(db, session);
      const { clearByRewriteFromRows = CLEAR_BY_REWRITE_FROM_ROWS, commitIntervalMs = COMMIT_INTERVAL_MS } = options;
      return new EmbeddedReadModelStore(file, db, new ReadModelDocumentTable(db), new CollectionCatalog(db), session, previousSession, clearByRewriteFromRows, commitIntervalMs);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  collection<T extends ReadModelDocument>(name: string, indexes: readonly (readonly string[])[] = [], search?: SearchIndex): ReadModelCollection<T> {
    // a first caller may have opened the collection without the indexes a later one declares
    let collection = this.collections.get(name);
    // what a new index or search reads from the documents includes the rows a bulk load holds
    // (and a new search index is built from every document: after the trigram index's pending changes)
    const state = this.catalog.declare(name, indexes, search, () => {
      collection?.flushHeld();
      this.searchTexts.flush();
    });
    if (!collection) {
      collection = new EmbeddedReadModelCollection(name, state, this.table, this.catalog, this.turn, this.searchTexts);
      const kept = this.carriedQueries.get(name);
      if (kept) collection.carry(kept);
      this.carriedQueries.delete(name);
      this.collections.set(name, collection);
    }
    return collection as unknown as ReadModelCollection<T>;
  }

  /** One process owns the file: every write goes through this store's collections, which tell their listeners. */
  watchWrites(collection: string, listener: WriteListener): void {
    this.collection(collection);
    (this.collections.get(collection) as EmbeddedReadModelCollection<ReadModelDocument>).watch(listener);
  }

  /**
   * Texts kept in a file beside the store's (`<file>-kept-texts`, `:memory:` for a throwaway store). They hold nothing
   * the documents do not say: carried over to the next run only after a clean stop of a run that kept them (and tracked
   * every write), under the same `version` of the code that builds them; emptied otherwise (EmbeddedKeptTexts).
   */
  keptTexts(name: string, version = ''): KeptTexts {
    let texts = this.kept.get(name);
    if (!texts) {
      texts = new EmbeddedKeptTexts(this.scratchFile(name, version), `kept_${name.replace(/[^A-Za-z0-9_]/g, '_')}`, name, version, this.previousSession);
      this.kept.set(name, texts);
    }
    return texts;
  }

  /** The texts file, opened by the first text set asked for (`name` under `version`). */
  private scratchFile(name: string, version: string): Database.Database {
    if (this.scratch) return this.scratch;
    const file = this.file === ':memory:' ? ':memory:' : `${this.file}-kept-texts`;
    const removed = (): void => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    };
    let scratch: Database.Database;
    try {
      scratch = EmbeddedReadModelStore.openScratch(file);
    } catch {
      // Unreadable (torn by a power loss while unsynced): it holds nothing the documents do not say.
      removed();
      scratch = EmbeddedReadModelStore.openScratch(file);
    }
    if (file !== ':memory:' && !EmbeddedKeptTexts.carriable(scratch, name, version, this.previousSession)) {
      // Nothing in it can be carried over (a crash, another run, other code): a new file, not a drop of every page.
      scratch.close();
      removed();
      scratch = EmbeddedReadModelStore.openScratch(file);
    }
    this.scratch = scratch;
    return scratch;
  }

  private static openScratch(file: string): Database.Database {
    const scratch = new Database(file);
    try {
      // Rebuilt from the documents when in doubt: no durability wanted while running (a clean stop syncs), a small page cache.
      scratch.pragma('journal_mode = WAL');
      scratch.pragma('synchronous = OFF');
      scratch.pragma('cache_size = -8192');
      scratch.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").get();
      return scratch;
    } catch (error) {
      scratch.close();
      throw error;
    }
  }

  /** A clean stop: every kept text set deletes what is stale and records this run's session, durably (the next run carries them). */
  private keepScratch(scratch: Database.Database): void {
    scratch.pragma('synchronous = FULL');
    // Pages written unsynced so far reach the disk before the mark that vouches for them.
    scratch.pragma('wal_checkpoint(TRUNCATE)');
    for (const texts of this.kept.values()) texts.keep(this.session);
  }

  /**
   * Runs `work` (a rebuild of the read models, nothing serving queries) with the trigram search indexes left alone:
   * each searchable collection written meanwhile is indexed once when it ends, in one pass (from the search texts kept
   * from its writes when the load cleared it). A substring search on such a collection misses documents written during
   * `work`. The declared indexes stay up: each collection's writes are held and written 100 rows a statement
   * (EmbeddedReadModelCollection), where the partial indexes of the other collections cost little; write listeners
   * hear once, at its end, that any document of a collection it wrote may have changed.
   */
  async bulkLoad<T>(work: () => Promise<T>): Promise<T> {
    if (this.catalog.bulkLoad) return work();
    // the load writes search texts directly, or defers them to its end: after the changes held before it
    this.searchTexts.flush();
    const load = new BulkLoadState(this.clearByRewriteFromRows);
    this.catalog.bulkLoad = load;
    const cacheSize = this.db.pragma('cache_size', { simple: true }) as number;
    const mmapSize = this.db.pragma('mmap_size', { simple: true }) as number;
    this.db.pragma(`cache_size = ${BULK_LOAD_CACHE_KIB}`);
    this.db.pragma(`mmap_size = ${BULK_LOAD_MMAP_BYTES}`);
    this.turn.holdCommitsFor(BULK_LOAD_WRITES_PER_COMMIT);
    const failedBefore = this.turn.failure;
    let result: T;
    try {
      result = await work();
    } finally {
      this.endBulkLoad(load, cacheSize, mmapSize);
    }
    // rows written during the load were lost with a transaction that failed (a row SQLite refused, a failed commit)
    const failure = this.turn.failure;
    if (failure !== failedBefore) throw failure;
    return result;
  }

  /** The load's held rows written, the search texts it deferred indexed, commits per turn again. */
  private endBulkLoad(load: BulkLoadState, cacheSize: number, mmapSize: number): void {
    try {
      // with the load's search texts kept for them; a row SQLite refuses fails the transaction (reported by bulkLoad)
      this.turn.flushHeld();
    } catch {
      // the turn's failure, thrown by bulkLoad
    }
    this.catalog.bulkLoad = null;
    // after a failed transaction no write is made (TurnTransaction.write): the load's failure is what bulkLoad reports
    if (this.turn.failure === null) for (const [state, deferred] of load.search) this.turn.write(() => this.catalog.indexDeferredSearch(state, deferred));
    this.turn.endHold();
    this.db.pragma(`cache_size = ${cacheSize}`);
    this.db.pragma(`mmap_size = ${mmapSize}`);
    for (const collection of this.collections.values()) collection.loadEnded();
  }

  checkpointStore(): CheckpointStore {
    return this.checkpoints;
  }

  /** The furthest event-store position the followers writing here committed, null with none (see EmbeddedCheckpointStore.furthest). */
  furthestCheckpoint(): number | null {
    return this.checkpoints.furthest();
  }

  /** Brings the checkpoints past the event store's last position back to it (see EmbeddedCheckpointStore.bringBackTo). */
  bringCheckpointsBackTo(head: number | null): number {
    return this.checkpoints.bringBackTo(head);
  }

  /** Events the followers writing into this store parked, kept in the same file. */
  parkedEventStore(): ParkedEventStore {
    return this.parked;
  }

  /** Resolves once every write made so far is committed (under load up to COMMIT_INTERVAL_MS later, unless `soon`); rejects if that commit fails. */
  committed(options: { readonly soon?: boolean } = {}): Promise<void> {
    return this.turn.committed(options.soon === true);
  }

  /**
   * Fails once a commit failed (the followers' positions are past what the file holds until a restart re-applies it),
   * once the file was found corrupt (`suspectCorruption`), and once it was removed while open (all: `restartNeeded`).
   */
  async ping(): Promise<void> {
    const restart = this.restartNeeded();
    if (restart !== null) throw new Error(restart);
    this.db.prepare('SELECT 1').get();
  }

  /**
   * Why the read side cannot follow a write now, or null: a commit failed, or the file was removed while open. The
   * write models ask before each decision's append (`decisionRefusal`), so a command is refused 503 STORE_UNAVAILABLE
   * before it is stored, instead of stored and answered from a view that no longer follows (a 404 for what was just created).
   */
  followRefusal(): ReadModelStoreFailedError | null {
    return this.viewsLost() ?? this.removed?.() ?? null;
  }

  /**
   * Why the documents may lack what the followers' positions say they hold, or null: a commit failed (its documents
   * rolled back, the positions not). A file removed while open still holds every write (the connection keeps it).
   */
  viewsLost(): ReadModelStoreFailedError | null {
    const failure = this.turn.failure;
    return failure ? new ReadModelStoreFailedError(`a read-model commit failed, restart to re-apply from the stored checkpoints: ${String(failure)}`, { cause: failure }) : null;
  }

  /**
   * Why only a restart brings this store back, or null: a failed commit (the followers' positions are past what the
   * file holds: a restart re-applies from the checkpoints committed before), or the file found corrupt (a restart sets
   * it aside and refills a new one). Liveness fails with it, so a supervisor restarts the process once, not never.
   */
  restartNeeded(): string | null {
    const lost = this.viewsLost();
    if (lost !== null) return lost.message;
    // Removed while open: found before any commit fails (no write needs to come for liveness to say so).
    const removed = this.removed?.() ?? null;
    if (removed !== null) return removed.message;
    if (this.corrupt !== null) return `the read-model file is corrupt (${this.corrupt}): restart the service; the file is then set aside and rebuilt from the event store`;
    return null;
  }

  /**
   * A statement of this process failed with SQLite's corruption error (which file's, the error does not say): checks
   * this file once (PRAGMA quick_check); found corrupt, pings fail and the next start sets it aside.
   */
  suspectCorruption(): void {
    if (this.corruptionChecked || this.closed) return;
    this.corruptionChecked = true;
    this.checkIntegrity();
  }

  /**
   * A start failed on SQLite's corruption error that no check placed (not this file's quick_check, not the event
   * store's): the file is marked all the same, so the next start sets it aside and rebuilds it (a read model holds
   * nothing the events do not; a needless rebuild costs only its time).
   */
  markForRebuild(reason: string): void {
    if (this.corrupt !== null || this.file === ':memory:') return;
    markCorrupt(this.file, reason);
  }

  private checkIntegrity(): void {
    const problem = sqliteIntegrityProblem(this.db);
    if (problem === null) return;
    this.corrupt = problem;
    if (this.file !== ':memory:') markCorrupt(this.file, problem);
  }

  /** A clean stop: what each collection learnt of its queries, for the next run to carry over (KeptQueries). */
  private keepQueries(): void {
    const byCollection = new Map<string, KeptQueries>();
    for (const [name, collection] of this.collections) {
      const kept = collection.keptQueries();
      if (kept) byCollection.set(name, kept);
    }
    keepQueries(this.db, this.session, this.previousSession, this.collections.keys(), byCollection);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.turn.commit();
    // Texts and queries are vouched for only when every document they were built from is committed.
    const committed = this.turn.failure === null;
    try {
      if (committed && this.file !== ':memory:') this.keepQueries();
    } catch {
      // Only a head start for the next run's first queries: without it, they count again.
    } finally {
      await this.walCheckpoints?.close();
      this.db.close();
    }
    if (this.scratch) {
      try {
        if (committed && this.file !== ':memory:') this.keepScratch(this.scratch);
      } finally {
        this.scratch.close();
      }
    }
  }
}
