import type { ReadModelCollection, ReadModelDocument } from './read-model-store.port';

/**
 * Whether none of `collections` holds a document: one row asked of each, in turn, and no count. A count is the wrong
 * question here: the embedded store keeps a count it answered up to date, reading the document every later write
 * replaces (three bus consumers asked for their partner copies' counts at start: three reads and six parses per create
 * from then on).
 */
export async function holdsNoDocument(...collections: readonly ReadModelCollection<ReadModelDocument>[]): Promise<boolean> {
  for (const collection of collections) {
    const { items } = await collection.find({ filter: {}, limit: 1, withoutTotal: true });
    if (items.length > 0) return false;
  }
  return true;
}
