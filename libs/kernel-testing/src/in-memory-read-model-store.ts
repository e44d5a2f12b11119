import type { FindQuery, Page, ReadModelCollection, ReadModelDocument, ReadModelStore } from '@as2-partners/kernel';
import { Query } from 'mingo';

/** Documents in maps, filters through mingo (what the embedded store judges with); every put stores a copy. For unit specs of read models. */
export class InMemoryReadModelStore implements ReadModelStore {
  private readonly collections = new Map<string, Map<string, ReadModelDocument>>();

  collection<T extends ReadModelDocument>(name: string): ReadModelCollection<T> {
    const docs = (this.collections.get(name) ?? new Map()) as Map<string, T>;
    this.collections.set(name, docs as Map<string, ReadModelDocument>);
    const copy = (doc: T): T => JSON.parse(JSON.stringify(doc)) as T;
    const matching = (filter: Record<string, unknown>) => [...docs.values()].filter((doc) => new Query(filter).test(doc as unknown as Record<string, unknown>));
    return {
      get: async (id) => (docs.has(id) ? copy(docs.get(id) as T) : null),
      put: async (doc) => void docs.set(doc._id, copy(doc)),
      insert: async (doc) => !docs.has(doc._id) && docs.set(doc._id, copy(doc)) !== undefined,
      putMany: async (many) => many.forEach((doc) => docs.set(doc._id, copy(doc))),
      delete: async (id) => void docs.delete(id),
      deleteMany: async (filter) => matching(filter).filter((doc) => docs.delete(doc._id)).length,
      count: async (filter) => matching(filter).length,
      clear: async () => docs.clear(),
      find: async (query: FindQuery): Promise<Page<T>> => {
        const sort = Object.entries(query.sort ?? {});
        const ordered = matching(query.filter).sort((a, b) => {
          for (const [field, direction] of sort) {
            const [x, y] = [(a as Record<string, unknown>)[field], (b as Record<string, unknown>)[field]];
            if (x === y) continue;
            const before = typeof x === 'number' && typeof y === 'number' ? x < y : String(x) < String(y);
            return (before ? -1 : 1) * direction;
          }
          return 0;
        });
        const from = query.skip ?? 0;
        const page = ordered.slice(from, query.limit === undefined ? undefined : from + query.limit);
        return { items: page.map(copy), total: ordered.length };
      },
    };
  }

  async close(): Promise<void> {
    this.collections.clear();
  }
}
