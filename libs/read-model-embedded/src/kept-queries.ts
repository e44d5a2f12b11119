import type { Database } from 'better-sqlite3';
import type { KeptCount } from './count-cache';
import type { KeptFirstPage } from './first-pages';
import type { KeptBoundaries } from './page-boundaries';

/**
 * What a collection learnt of its queries in one run, kept at a clean stop for the next: its counts, its page cursors,
 * the first pages of broad searches and the search terms found broad. They describe the documents as that stop left
 * them, so a run carries them over only when the store's file had that run's session when it opened (no crash since,
 * no other process wrote the documents): a big tenant's first page, a deep page and a broad search after a restart are
 * then reads of a page, not of every row the count, the cursor or the walk stands for.
 */
export interface KeptQueries {
  readonly counts: readonly KeptCount[];
  readonly boundaries: readonly KeptBoundaries[];
  readonly firstPages: readonly KeptFirstPage[];
  readonly broadTerms: readonly string[];
}

/**
 * The kept queries of the collections this run opened (`byCollection`: those with something to keep), written at a clean
 * stop in one transaction under the run's `session`. A collection the run never opened had no write in it: what the
 * stop before kept for it, when this run carried it over (under `previousSession`), stays true and is kept on. The rest
 * is dropped.
 */
export function keepQueries(db: Database, session: string, previousSession: string | null, opened: Iterable<string>, byCollection: ReadonlyMap<string, KeptQueries>): void {
  const insert = db.prepare<[string, string, string]>('INSERT OR REPLACE INTO read_model_kept_queries (collection, session, state) VALUES (?, ?, ?)');
  db.transaction(() => {
    if (previousSession !== null) {
      db.prepare<[string, string, string]>('UPDATE read_model_kept_queries SET session = ? WHERE session = ? AND collection NOT IN (SELECT value FROM json_each(?))').run(session, previousSession, JSON.stringify([...opened]));
    }
    db.prepare<[string]>('DELETE FROM read_model_kept_queries WHERE session <> ?').run(session);
    for (const [collection, kept] of byCollection) insert.run(collection, session, JSON.stringify(kept));
  })();
}

/** The queries a clean stop of the run of `session` kept, by collection (none when another run's are there). */
export function keptQueriesOf(db: Database, session: string): Map<string, KeptQueries> {
  const rows = db.prepare<[string], { collection: string; state: string }>('SELECT collection, state FROM read_model_kept_queries WHERE session = ?').all(session);
  return new Map(rows.map(({ collection, state }) => [collection, JSON.parse(state) as KeptQueries]));
}
