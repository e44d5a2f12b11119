import type { KeptTexts } from '@as2-partners/kernel';
import type { Database, Statement } from 'better-sqlite3';

/** Tags a text can carry (one column each). */
const MAX_TAGS = 3;
/** Tags touched since the store opened kept in memory at most; past it every text goes stale at once and they are forgotten. */
const MAX_TOUCHED_TAGS = 200_000;
/** Drops remembered for puts of joins still running; older ones only raise the floor below which a put is refused. */
const MAX_REMEMBERED_DROPS = 10_000;
/** Dropped texts deleted together (one transaction, DELETE_AFTER_MS after the first of them or once this many wait). */
const MAX_PENDING_DELETES = 1_000;
/**
 * How long a dropped text's row waits for its deletion. A drop already makes the text stale (remembered in `drops`), so
 * the row only takes room meanwhile; most are put again within milliseconds (a view written, then its body built), which
 * takes them off the deletion: under creates, a deletion per turn was a transaction of one or two rows that were not
 * there (~1.4 % of a create's event loop).
 */
const DELETE_AFTER_MS = 1_000;

/** What a kept text's freshness is decided from (read from the covering index, not the text). */
interface StampRow {
  readonly key: string;
  readonly stamp: number;
  readonly tag0: string | null;
  readonly tag1: string | null;
  readonly tag2: string | null;
}

/** A set of texts as its last clean stop left it (`kept_state` in the scratch file). */
interface KeptState {
  readonly session: string | null;
  readonly version: string;
  readonly counter: number;
}

interface KeptRow {
  readonly text: string;
  readonly stamp: number;
  readonly tag0: string | null;
  readonly tag1: string | null;
  readonly tag2: string | null;
}

/**
 * KeptTexts in a table of the store's texts file (on disk, out of the heap). The stamps of touched tags live in memory:
 * a stamp is a counter, a text is fresh while its stamp is at least every stamp of its tags, of the last touch of every
 * tag and of its own drop. A clean stop (`keep`) deletes every stale text and records the store's session and the
 * counter, so the next run carries the rest over; a text set whose recorded session is not the one the store's file
 * had before this run (an unclean stop, a run that wrote the documents without keeping these texts) or whose version
 * is another is emptied when opened.
 */
export class EmbeddedKeptTexts implements KeptTexts {
  readonly carried: boolean;
  private counter = 0;
  private everything = 0;
  private readonly touched = new Map<string, number>();
  private readonly drops = new Map<string, number>();
  private dropFloor = 0;
  /** Keys dropped whose rows are not deleted yet (their drop, remembered, already makes them stale). */
  private readonly pendingDeletes = new Set<string>();
  private deleteScheduled = false;
  /** Nothing was ever put: a drop has no row to delete (a rebuild in a one-shot process). */
  private empty = true;
  private readonly getStatement: Statement<[string], KeptRow>;
  private readonly putStatement: Statement<[string, string, number, string | null, string | null, string | null]>;
  private readonly dropStatement: Statement<[string]>;
  private readonly stampStatement: Statement<[string], StampRow>;
  /** The stamps of a list of keys (a JSON array) in one statement. */
  private readonly stampsStatement: Statement<[string], StampRow>;
  /** The stamps of the keys from one key to another (a sorted page, as the walk over every view asks), at most a number. */
  private readonly rangeStatement: Statement<[string, string, number], StampRow>;

  /**
   * Whether a text set in this file may be carried over into a run whose store had `previousSession` before it, `name`
   * opened under `version`: false lets the store replace the file (instant, where dropping a large table reads every page).
   */
  static carriable(db: Database, name: string, version: string, previousSession: string | null): boolean {
    if (previousSession === null || db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kept_state'").get() === undefined) return false;
    const clean = db.prepare<[string], { name: string; version: string }>('SELECT name, version FROM kept_state WHERE session = ?').all(previousSession);
    return clean.some((state) => state.name !== name || state.version === version);
  }

  /** `previousSession`: the session the store's file had before this run; `version`: the code that builds the texts. */
  constructor(
    private readonly db: Database,
    private readonly table: string,
    private readonly name: string,
    private readonly version: string,
    previousSession: string | null,
  ) {
    db.exec('CREATE TABLE IF NOT EXISTS kept_state (name TEXT PRIMARY KEY, session TEXT, version TEXT NOT NULL, counter INTEGER NOT NULL) WITHOUT ROWID');
    const state = db.prepare<[string], KeptState>('SELECT session, version, counter FROM kept_state WHERE name = ?').get(name);
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
    const carried = exists && state !== undefined && previousSession !== null && state.session === previousSession && state.version === version;
    db.transaction(() => {
      if (!carried) db.exec(`DROP TABLE IF EXISTS "${table}"`);
      db.exec(`CREATE TABLE IF NOT EXISTS "${table}" (key TEXT PRIMARY KEY, text TEXT NOT NULL, stamp INTEGER NOT NULL, tag0 TEXT, tag1 TEXT, tag2 TEXT)`);
      // Freshness without reading the texts (a walk asks it of every key): the index covers what decides it.
      db.exec(`CREATE INDEX IF NOT EXISTS "${table}_fresh" ON "${table}" (key, stamp, tag0, tag1, tag2)`);
      // Until a clean stop records this run's session, the next run empties these texts (a crash leaves this mark).
      db.prepare('INSERT INTO kept_state (name, session, version, counter) VALUES (?, NULL, ?, ?) ON CONFLICT (name) DO UPDATE SET session = NULL, version = excluded.version, counter = excluded.counter').run(
        name,
        version,
        carried ? state.counter : 0,
      );
    })();
    this.carried = carried && db.prepare(`SELECT 1 FROM "${table}" LIMIT 1`).get() !== undefined;
    this.counter = carried ? state.counter : 0;
    this.empty = !this.carried;
    this.stampStatement = db.prepare(`SELECT key, stamp, tag0, tag1, tag2 FROM "${table}" WHERE key = ?`);
    this.stampsStatement = db.prepare(`SELECT key, stamp, tag0, tag1, tag2 FROM "${table}" WHERE key IN (SELECT value FROM json_each(?))`);
    this.rangeStatement = db.prepare(`SELECT key, stamp, tag0, tag1, tag2 FROM "${table}" INDEXED BY "${table}_fresh" WHERE key >= ? AND key <= ? LIMIT ?`);
    this.getStatement = db.prepare(`SELECT text, stamp, tag0, tag1, tag2 FROM "${table}" WHERE key = ?`);
    this.putStatement = db.prepare(`INSERT OR REPLACE INTO "${table}" (key, text, stamp, tag0, tag1, tag2) VALUES (?, ?, ?, ?, ?, ?)`);
    this.dropStatement = db.prepare(`DELETE FROM "${table}" WHERE key = ?`);
  }

  stamp(): number {
    return this.counter;
  }

  get(key: string): { readonly text: string; readonly tags: readonly string[] } | undefined {
    let row: KeptRow | undefined;
    try {
      row = this.getStatement.get(key);
    } catch (error) {
      return this.failed(error, undefined);
    }
    if (row === undefined || (this.drops.get(key) ?? -1) > row.stamp || !this.fresh(row.stamp, row.tag0, row.tag1, row.tag2)) return undefined;
    const tags = [row.tag0, row.tag1, row.tag2].filter((tag): tag is string => tag !== null);
    return { text: row.text, tags };
  }

  put(key: string, text: string, tags: readonly string[], stamp: number): void {
    if (tags.length > MAX_TAGS) throw new RangeError(`a kept text carries at most ${MAX_TAGS} tags`);
    const [tag0 = null, tag1 = null, tag2 = null] = tags;
    if (stamp < this.dropFloor || (this.drops.get(key) ?? -1) > stamp || !this.fresh(stamp, tag0, tag1, tag2)) return;
    this.empty = false;
    this.pendingDeletes.delete(key);
    try {
      this.putStatement.run(key, text, stamp, tag0, tag1, tag2);
    } catch (error) {
      this.failed(error, undefined);
    }
  }

  touch(tag: string | null): void {
    this.counter += 1;
    if (tag === null || this.touched.size >= MAX_TOUCHED_TAGS) {
      // Every stamp so far is below this one: what they said is said by it.
      this.everything = this.counter;
      this.touched.clear();
      this.drops.clear();
      this.dropFloor = 0;
      return;
    }
    this.touched.delete(tag);
    this.touched.set(tag, this.counter);
  }

  drop(key: string): void {
    this.counter += 1;
    this.drops.delete(key);
    this.drops.set(key, this.counter);
    if (!this.empty) {
      // Deleted in a batch: a master's change fanned out to 1,000 tenants' views is one transaction, not 1,000 commits.
      this.pendingDeletes.add(key);
      if (this.pendingDeletes.size >= MAX_PENDING_DELETES) this.deletePending();
      else if (!this.deleteScheduled) {
        this.deleteScheduled = true;
        setTimeout(() => this.deletePending(), DELETE_AFTER_MS).unref();
      }
    }
    if (this.drops.size > MAX_REMEMBERED_DROPS) {
      const [oldest, at] = this.drops.entries().next().value as [string, number];
      // a forgotten drop no longer makes its row stale: the row goes now if its deletion still waits
      if (this.pendingDeletes.has(oldest)) this.deletePending();
      this.drops.delete(oldest);
      this.dropFloor = at;
    }
  }

  private deletePending(): void {
    this.deleteScheduled = false;
    if (this.pendingDeletes.size === 0 || !this.db.open) return;
    const keys = [...this.pendingDeletes];
    this.pendingDeletes.clear();
    try {
      this.db.transaction(() => {
        for (const key of keys) this.dropStatement.run(key);
      })();
    } catch (error) {
      // run from a timer: thrown on, it would end the process
      this.failed(error, undefined);
    }
  }

  batch(work: () => void): void {
    try {
      this.db.transaction(work)();
    } catch (error) {
      this.failed(error, undefined);
    }
  }

  /**
   * A write or read the texts file refused (disk full, I/O error, a damaged file): these texts are a cache, so the
   * request goes on without them. Every text kept so far is stale from now on, as a row whose deletion failed could
   * otherwise be served once its drop is forgotten. Anything but SQLite's refusal is a fault, thrown on.
   */
  private failed<T>(error: unknown, answer: T): T {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !code.startsWith('SQLITE_')) throw error;
    this.touch(null);
    return answer;
  }

  freshAmong(keys: readonly string[]): boolean[] {
    try {
      return this.freshAmongRows(keys);
    } catch (error) {
      return this.failed(error, keys.map(() => false));
    }
  }

  private freshAmongRows(keys: readonly string[]): boolean[] {
    if (keys.length < 8) return keys.map((key) => this.freshRow(key, this.stampStatement.get(key)));
    const rows = new Map<string, StampRow>();
    if (ascending(keys)) {
      // A sorted page (the walk over every view, in id order): one range of the covering index, ~2 µs a key where a
      // lookup per key costs ~5 (a million views). Bounded: a sparse list goes by its keys instead. A key SQLite orders
      // outside the range (its byte order and JavaScript's differ past U+FFFF) is only answered not fresh: rebuilt.
      const limit = keys.length * 4 + 64;
      for (const row of this.rangeStatement.iterate(keys[0] as string, keys[keys.length - 1] as string, limit)) rows.set(row.key, row);
      if (rows.size < limit) return keys.map((key) => this.freshRow(key, rows.get(key)));
      rows.clear();
    }
    for (const row of this.stampsStatement.iterate(JSON.stringify(keys))) rows.set(row.key, row);
    return keys.map((key) => this.freshRow(key, rows.get(key)));
  }

  private freshRow(key: string, row: StampRow | undefined): boolean {
    return row !== undefined && (this.drops.get(key) ?? -1) <= row.stamp && this.fresh(row.stamp, row.tag0, row.tag1, row.tag2);
  }

  /**
   * A clean stop (the store's documents committed): deletes every text that is stale now, so what is left is fresh with
   * no touch remembered, and records `session` (the store's) and the counter for the next run to carry them over.
   */
  keep(session: string): void {
    this.deletePending();
    // Everything stale since some stamp (a rebuild cleared the documents): those go in one statement, the rest are read.
    if (this.everything > 0) this.deleteStampedBefore(this.everything);
    const stale: string[] = [];
    if (this.touched.size > 0) {
      const rows = this.db.prepare<[], StampRow>(`SELECT key, stamp, tag0, tag1, tag2 FROM "${this.table}" INDEXED BY "${this.table}_fresh"`);
      for (const row of rows.iterate()) if (!this.fresh(row.stamp, row.tag0, row.tag1, row.tag2)) stale.push(row.key);
    }
    this.db.transaction(() => {
      for (const key of stale) this.dropStatement.run(key);
      this.db.prepare('UPDATE kept_state SET session = ?, version = ?, counter = ? WHERE name = ?').run(session, this.version, this.counter, this.name);
    })();
  }

  /**
   * Deletes the texts stamped before `stamp`. When none is stamped since (a rebuild's one-shot process put none), the
   * table is emptied whole: SQLite frees its pages without visiting a row (0.1 s against 2 s for 277,000 texts).
   */
  private deleteStampedBefore(stamp: number): void {
    if (this.db.prepare(`SELECT 1 FROM "${this.table}" WHERE stamp >= ? LIMIT 1`).get(stamp)) this.db.prepare(`DELETE FROM "${this.table}" WHERE stamp < ?`).run(stamp);
    else this.db.exec(`DELETE FROM "${this.table}"`);
  }

  private fresh(stamp: number, tag0: string | null, tag1: string | null, tag2: string | null): boolean {
    if (stamp < this.everything) return false;
    for (const tag of [tag0, tag1, tag2]) if (tag !== null && (this.touched.get(tag) ?? -1) > stamp) return false;
    return true;
  }
}

/** Whether the keys are in ascending order, each after the one before. */
function ascending(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) >= (keys[i] as string)) return false;
  return true;
}
