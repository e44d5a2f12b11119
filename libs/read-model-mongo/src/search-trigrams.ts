import { conjunctsOf, isTrigramSearchable, substringSearchOf, trigramsOf, type Filter, type SearchIndex } from '@as2-partners/kernel';

/**
 * The field a searchable collection's documents carry their trigrams in (multikey, indexed after the search's
 * scope fields); the store adds it on write and leaves it out of every document it returns.
 */
export const SEARCH_TRIGRAMS_FIELD = '__searchTrigrams';

/** Every string a search on these fields could match (through arrays too), as the strings' trigrams. */
export function trigramsOfDocument(doc: unknown, search: SearchIndex): string[] {
  const texts: string[] = [];
  const collect = (value: unknown, keys: readonly string[]): void => {
    if (Array.isArray(value)) {
      for (const item of value) collect(item, keys);
    } else if (keys.length === 0) {
      if (typeof value === 'string') texts.push(value);
    } else if (value !== null && typeof value === 'object') {
      collect((value as Record<string, unknown>)[keys[0]], keys.slice(1));
    }
  };
  for (const field of search.fields) collect(doc, field.split('.'));
  return trigramsOf(texts);
}

/**
 * The filter with, beside each substring search on the declared fields, the trigrams its text needs: a condition
 * every match meets, which the index answers. The search itself stays, so the answer is exactly the query's.
 */
export function withSearchTrigrams(filter: Filter, search: SearchIndex | null): Filter {
  if (!search) return filter;
  const needed = new Set<string>();
  for (const clause of conjunctsOf(filter)) {
    const found = substringSearchOf(clause);
    if (found && isTrigramSearchable(found.text) && found.fields.every((field) => search.fields.includes(field))) {
      for (const gram of trigramsOf([found.text])) needed.add(gram);
    }
  }
  if (needed.size === 0) return filter;
  return { $and: [filter, { [SEARCH_TRIGRAMS_FIELD]: { $all: [...needed] } }] };
}
