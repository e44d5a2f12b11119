import type { Database, Statement, Transaction } from 'better-sqlite3';

export interface StoredDocumentRow {
  readonly collection: string;
  readonly id: string;
  readonly body: string;
}

/** The SQLite side of the write-through: every write lands here before the in-memory copy changes. */
export class ReadModelDocumentTable {
  private readonly upsertStatement: Statement<[string, string, string]>;
  private readonly deleteStatement: Statement<[string, string]>;
  private readonly clearStatement: Statement<[string]>;
  private readonly upsertManyTransaction: Transaction<(collection: string, rows: readonly (readonly [string, string])[]) => void>;
  private readonly deleteManyTransaction: Transaction<(collection: string, ids: readonly string[]) => void>;

  constructor(private readonly db: Database) {
    this.upsertStatement = db.prepare(
      'INSERT INTO read_model_documents (collection, id, body) VALUES (?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body',
    );
    this.deleteStatement = db.prepare('DELETE FROM read_model_documents WHERE collection = ? AND id = ?');
    this.clearStatement = db.prepare('DELETE FROM read_model_documents WHERE collection = ?');
    this.upsertManyTransaction = db.transaction((collection: string, rows: readonly (readonly [string, string])[]) => {
      for (const [id, body] of rows) this.upsertStatement.run(collection, id, body);
    });
    this.deleteManyTransaction = db.transaction((collection: string, ids: readonly string[]) => {
      for (const id of ids) this.deleteStatement.run(collection, id);
    });
  }

  all(): IterableIterator<StoredDocumentRow> {
    return this.db.prepare<[], StoredDocumentRow>('SELECT collection, id, body FROM read_model_documents').iterate();
  }

  upsert(collection: string, id: string, body: string): void {
    this.upsertStatement.run(collection, id, body);
  }

  upsertMany(collection: string, rows: readonly (readonly [string, string])[]): void {
    this.upsertManyTransaction(collection, rows);
  }

  delete(collection: string, id: string): void {
    this.deleteStatement.run(collection, id);
  }

  deleteMany(collection: string, ids: readonly string[]): void {
    this.deleteManyTransaction(collection, ids);
  }

  clear(collection: string): void {
    this.clearStatement.run(collection);
  }
}
