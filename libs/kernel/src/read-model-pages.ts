import { nextTurnOfLoop } from './decider';
import type { ReadModelCollection, ReadModelDocument } from './read-model-store.port';

/**
 * Every document of a collection, in `_id` order, `pageSize` at a time (no skip: fast on a large collection; no count),
 * each page after the first on a turn of its own (the embedded store answers synchronously: without it a whole walk is
 * one turn of the event loop). Yields whole pages: an async generator's step per document cost ~0.5 µs of a refill's
 * ~8 µs a partner.
 */
export async function* pagesOf<T extends ReadModelDocument>(collection: ReadModelCollection<T>, pageSize: number, turn: () => Promise<unknown> = nextTurnOfLoop): AsyncGenerator<readonly T[]> {
  let after: string | null = null;
  for (;;) {
    const { items } = await collection.find({ filter: after === null ? {} : { _id: { $gt: after } }, sort: { _id: 1 }, limit: pageSize, withoutTotal: true });
    if (items.length > 0) yield items;
    if (items.length < pageSize) return;
    after = items[items.length - 1]._id;
    await turn();
  }
}
