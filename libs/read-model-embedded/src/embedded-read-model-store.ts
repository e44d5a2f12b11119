import type { CheckpointStore, ParkedEventStore, ReadModelCollection, ReadModelDocument, ReadModelStore } from '@as2-partners/kernel';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EmbeddedCheckpointStore } from './embedded-checkpoint-store';
import { EmbeddedParkedEventStore } from './embedded-parked-event-store';
import { EmbeddedReadModelCollection, toInMemoryDocument, type InMemoryDocument } from './embedded-read-model-collection';
import { ReadModelDocumentTable } from './read-model-document-table';
import { configureReadModelConnection, createReadModelSchema } from './read-model-sqlite-schema';

/**
 * Read models for embedded mode: documents persist in one SQLite file and every collection is loaded into
 * memory at open, where MongoDB query documents run through mingo. Indexes are not needed in memory.
 * One process owns a file: another process's writes would not reach this one's memory.
 */
export class EmbeddedReadModelStore implements ReadModelStore {
  private readonly collections = new Map<string, EmbeddedReadModelCollection<ReadModelDocument>>();
  private readonly checkpoints: EmbeddedCheckpointStore;
  private readonly parked: EmbeddedParkedEventStore;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly table: ReadModelDocumentTable,
    private readonly documents: Map<string, Map<string, InMemoryDocument>>,
  ) {
    this.checkpoints = new EmbeddedCheckpointStore(db);
    this.parked = new EmbeddedParkedEventStore(db);
  }

  /** Opens (or creates) the store file, `:memory:` for a throwaway store. */
  static async open(file: string): Promise<EmbeddedReadModelStore> {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      configureReadModelConnection(db);
      createReadModelSchema(db);
      const table = new ReadModelDocumentTable(db);
      const documents = new Map<string, Map<string, InMemoryDocument>>();
      for (const row of table.all()) {
        let collection = documents.get(row.collection);
        if (!collection) {
          collection = new Map();
          documents.set(row.collection, collection);
        }
        collection.set(row.id, toInMemoryDocument(row.body));
      }
      return new EmbeddedReadModelStore(db, table, documents);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  collection<T extends ReadModelDocument>(name: string): ReadModelCollection<T> {
    let collection = this.collections.get(name);
    if (!collection) {
      let documents = this.documents.get(name);
      if (!documents) {
        documents = new Map();
        this.documents.set(name, documents);
      }
      collection = new EmbeddedReadModelCollection(name, documents, this.table);
      this.collections.set(name, collection);
    }
    return collection as unknown as ReadModelCollection<T>;
  }

  checkpointStore(): CheckpointStore {
    return this.checkpoints;
  }

  /** Events the followers writing into this store parked, kept in the same file. */
  parkedEventStore(): ParkedEventStore {
    return this.parked;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
