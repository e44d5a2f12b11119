import type { Filter, FindQuery, Page, ReadModelCollection, ReadModelDocument } from '@as2-partners/kernel';
import { Query } from 'mingo';
import { compileFastFilter, Verdict } from './fast-filter';
import { sortDocuments, withIdTieBreaker } from './mongo-sort-order';
import type { ReadModelDocumentTable } from './read-model-document-table';

/** A document as the store keeps it: parsed for queries, and its JSON text to hand out fresh copies. */
export interface InMemoryDocument {
  readonly doc: Record<string, unknown>;
  readonly json: string;
}

export function toInMemoryDocument(json: string): InMemoryDocument {
  return { doc: JSON.parse(json) as Record<string, unknown>, json };
}

/**
 * A collection served from memory (queries run through mingo, the MongoDB query language in JavaScript,
 * behind a fast path for plain scalar filters)
 * and written through to SQLite first, so memory never holds what the file does not.
 */
export class EmbeddedReadModelCollection<T extends ReadModelDocument> implements ReadModelCollection<T> {
  constructor(
    private readonly name: string,
    private readonly documents: Map<string, InMemoryDocument>,
    private readonly table: ReadModelDocumentTable,
  ) {}

  async get(id: string): Promise<T | null> {
    const stored = this.documents.get(id);
    return stored ? this.copy(stored) : null;
  }

  async put(doc: T): Promise<void> {
    const [id, json] = this.serialize(doc);
    this.table.upsert(this.name, id, json);
    this.documents.set(id, toInMemoryDocument(json));
  }

  /** One process owns the embedded files, and this check and put run without an await between them: atomic. */
  async insert(doc: T): Promise<boolean> {
    if (this.documents.has(doc._id)) return false;
    await this.put(doc);
    return true;
  }

  async putMany(docs: readonly T[]): Promise<void> {
    if (docs.length === 0) return;
    const rows = docs.map((doc) => this.serialize(doc));
    this.table.upsertMany(this.name, rows);
    for (const [id, json] of rows) this.documents.set(id, toInMemoryDocument(json));
  }

  async delete(id: string): Promise<void> {
    this.table.delete(this.name, id);
    this.documents.delete(id);
  }

  async deleteMany(filter: Filter): Promise<number> {
    const ids = this.matching(filter).map((stored) => stored.doc['_id'] as string);
    if (ids.length === 0) return 0;
    this.table.deleteMany(this.name, ids);
    for (const id of ids) this.documents.delete(id);
    return ids.length;
  }

  async find(query: FindQuery): Promise<Page<T>> {
    const matched = this.matching(query.filter);
    const start = query.skip ?? 0;
    const keep = query.limit ? start + query.limit : matched.length;
    const ordered = sortDocuments(matched, (stored) => stored.doc, withIdTieBreaker(query.sort), keep);
    return { items: ordered.slice(start).map((stored) => this.copy(stored)), total: matched.length };
  }

  async count(filter: Filter): Promise<number> {
    if (Object.keys(filter).length === 0) return this.documents.size;
    return this.matching(filter).length;
  }

  async clear(): Promise<void> {
    this.table.clear(this.name);
    this.documents.clear();
  }

  private matching(filter: Filter): InMemoryDocument[] {
    const all = [...this.documents.values()];
    if (Object.keys(filter).length === 0) return all;
    let query: Query | undefined;
    const byMingo = (doc: Record<string, unknown>): boolean => (query ??= new Query(filter)).test(doc);
    const fast = compileFastFilter(filter);
    if (!fast) return all.filter((stored) => byMingo(stored.doc));
    return all.filter((stored) => {
      const verdict = fast(stored.doc);
      return verdict === Verdict.Undecided ? byMingo(stored.doc) : verdict === Verdict.Yes;
    });
  }

  private copy(stored: InMemoryDocument): T {
    return JSON.parse(stored.json) as T;
  }

  /** JSON text drops `undefined` fields the way the MongoDB store does (ignoreUndefined). */
  private serialize(doc: T): [string, string] {
    if (typeof doc._id !== 'string' || doc._id === '') {
      throw new TypeError(`read model document in "${this.name}" needs a non-empty string _id`);
    }
    return [doc._id, JSON.stringify(doc)];
  }
}
