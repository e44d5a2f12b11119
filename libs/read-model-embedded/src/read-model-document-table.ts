import type { Database, Statement } from 'better-sqlite3';
import { TrigramRarity } from './trigram-rarity';

/** The statements on `read_model_docs` every collection shares (the collection is a parameter). */
export class ReadModelDocumentTable {
  readonly getStatement: Statement<[string, string], { body: string }>;
  readonly bodyBySeq: Statement<[number], { body: string }>;
  readonly idsAfter: Statement<[string, string, number], string>;
  readonly upsertStatement: Statement<[string, string, string], { seq: number }>;
  readonly deleteStatement: Statement<[string, string], { seq: number; body: string }>;
  readonly searchReplace: Statement<[number, string]>;
  readonly searchDelete: Statement<[number]>;
  /** How many documents (of any collection) an FTS5 query matches, counted up to a bound. */
  readonly searchMatchesUpTo: Statement<[string, number], number>;
  /** The rowids (`seq`) an FTS5 query matches (of any collection), up to a bound. */
  readonly searchMatches: Statement<[string, number], number>;
  /** The search index's rare trigrams, learnt as searches ask (the index is every collection's). */
  readonly rarity: TrigramRarity;
  private readonly statements = new Map<string, Statement>();
  /** Multi-row upserts by row count (a bulk load's held rows): `RETURNING id, seq`, since SQLite returns the rows in no set order. */
  private readonly upserts = new Map<number, Statement<unknown[], { id: string; seq: number }>>();
  /** The same without RETURNING, for rows whose `seq` nobody needs (no search text): ~10 % less CPU a row. */
  private readonly plainUpserts = new Map<number, Statement<unknown[]>>();

  constructor(readonly db: Database) {
    this.getStatement = db.prepare('SELECT body FROM read_model_docs WHERE collection = ? AND id = ?');
    this.bodyBySeq = db.prepare('SELECT body FROM read_model_docs WHERE seq = ?');
    this.idsAfter = db.prepare<[string, string, number], string>('SELECT id FROM read_model_docs WHERE collection = ? AND id > ? ORDER BY id LIMIT ?').pluck();
    this.upsertStatement = db.prepare(
      'INSERT INTO read_model_docs (collection, id, body) VALUES (?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body RETURNING seq',
    );
    this.deleteStatement = db.prepare('DELETE FROM read_model_docs WHERE collection = ? AND id = ? RETURNING seq, body');
    this.searchReplace = db.prepare('INSERT OR REPLACE INTO read_model_search (rowid, text) VALUES (?, ?)');
    this.searchDelete = db.prepare('DELETE FROM read_model_search WHERE rowid = ?');
    this.searchMatchesUpTo = db.prepare<[string, number], number>('SELECT count(*) FROM (SELECT rowid FROM read_model_search WHERE read_model_search MATCH ? LIMIT ?)').pluck();
    this.searchMatches = db.prepare<[string, number], number>('SELECT rowid FROM read_model_search WHERE read_model_search MATCH ? LIMIT ?').pluck();
    this.rarity = new TrigramRarity(this.searchMatchesUpTo);
  }

  /** One upsert of `rows` documents (parameters: collection, id, body for each row, in order); a row's id must not repeat in it. */
  upsertMany(rows: number): Statement<unknown[], { id: string; seq: number }> {
    let statement = this.upserts.get(rows);
    if (!statement) {
      statement = this.db.prepare<unknown[], { id: string; seq: number }>(
        `INSERT INTO read_model_docs (collection, id, body) VALUES ${upsertValues(rows)} ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body RETURNING id, seq`,
      );
      this.upserts.set(rows, statement);
    }
    return statement;
  }

  /** One upsert of `rows` documents as `upsertMany`, returning nothing. */
  plainUpsertMany(rows: number): Statement<unknown[]> {
    let statement = this.plainUpserts.get(rows);
    if (!statement) {
      statement = this.db.prepare<unknown[]>(`INSERT INTO read_model_docs (collection, id, body) VALUES ${upsertValues(rows)} ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body`);
      this.plainUpserts.set(rows, statement);
    }
    return statement;
  }

  /** A statement built from a query plan, prepared once per distinct SQL text. */
  prepared(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** The VALUES of a multi-row upsert: (collection, id, body) per row. */
function upsertValues(rows: number): string {
  return Array.from({ length: rows }, () => '(?, ?, ?)').join(', ');
}
