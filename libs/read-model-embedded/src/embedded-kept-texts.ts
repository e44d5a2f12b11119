import type { KeptTexts } from '@as2-partners/kernel';
import type { Database, Statement } from 'better-sqlite3';

/** Tags a text can carry (one column each). */
const MAX_TAGS = 3;
/** Tags touched since the store opened kept in memory at most; past it every text goes stale at once and they are forgotten. */
const MAX_TOUCHED_TAGS = 200_000;
/** Drops remembered for puts of joins still running; older ones only raise the floor below which a put is refused. */
const MAX_REMEMBERED_DROPS = 10_000;
/** Dropped texts deleted together (one transaction, at the end of the turn or once this many wait). */
const MAX_PENDING_DELETES = 1_000;

interface KeptRow {
  readonly text: string;
  readonly stamp: number;
  readonly tag0: string | null;
  readonly tag1: string | null;
  readonly tag2: string | null;
}

/**
 * KeptTexts in a table of the store's scratch file (on disk, out of the heap; emptied when the store opens, so a text
 * never outlives the code that built it). The stamps of touched tags live in memory: a stamp is a counter, a text is
 * fresh while its stamp is at least every stamp of its tags, of the last touch of every tag and of its own drop.
 */
export class EmbeddedKeptTexts implements KeptTexts {
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

  constructor(private readonly db: Database, table: string) {
    db.exec(`CREATE TABLE IF NOT EXISTS "${table}" (key TEXT PRIMARY KEY, text TEXT NOT NULL, stamp INTEGER NOT NULL, tag0 TEXT, tag1 TEXT, tag2 TEXT)`);
    this.getStatement = db.prepare(`SELECT text, stamp, tag0, tag1, tag2 FROM "${table}" WHERE key = ?`);
    this.putStatement = db.prepare(`INSERT OR REPLACE INTO "${table}" (key, text, stamp, tag0, tag1, tag2) VALUES (?, ?, ?, ?, ?, ?)`);
    this.dropStatement = db.prepare(`DELETE FROM "${table}" WHERE key = ?`);
  }

  stamp(): number {
    return this.counter;
  }

  get(key: string): { readonly text: string; readonly tags: readonly string[] } | undefined {
    const row = this.getStatement.get(key);
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
    this.putStatement.run(key, text, stamp, tag0, tag1, tag2);
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
        setImmediate(() => this.deletePending());
      }
    }
    if (this.drops.size > MAX_REMEMBERED_DROPS) {
      const [oldest, at] = this.drops.entries().next().value as [string, number];
      this.drops.delete(oldest);
      this.dropFloor = at;
    }
  }

  private deletePending(): void {
    this.deleteScheduled = false;
    if (this.pendingDeletes.size === 0 || !this.db.open) return;
    const keys = [...this.pendingDeletes];
    this.pendingDeletes.clear();
    this.db.transaction(() => {
      for (const key of keys) this.dropStatement.run(key);
    })();
  }

  batch(work: () => void): void {
    this.db.transaction(work)();
  }

  private fresh(stamp: number, tag0: string | null, tag1: string | null, tag2: string | null): boolean {
    if (stamp < this.everything) return false;
    for (const tag of [tag0, tag1, tag2]) if (tag !== null && (this.touched.get(tag) ?? -1) > stamp) return false;
    return true;
  }
}
