import type { Filter } from './read-model-store.port';

/** A case-insensitive substring search found in a filter: the text and the fields it is looked for in. */
export interface SubstringSearch {
  readonly text: string;
  readonly fields: readonly string[];
}

const META = /[.*+?^${}()|[\]\\]/;

/** The literal text of a pattern `escapeRegex` made, or null when the pattern means more than a substring. */
export function literalOfPattern(pattern: string): string | null {
  let text = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i];
    if (char === '\\') {
      const next = pattern[i + 1];
      if (next === undefined || !META.test(next)) return null;
      text += next;
      i += 1;
    } else if (META.test(char)) {
      return null;
    } else {
      text += char;
    }
  }
  return text;
}

function searchOnField(clause: unknown): SubstringSearch | null {
  if (clause === null || typeof clause !== 'object' || Array.isArray(clause)) return null;
  const entries = Object.entries(clause as Record<string, unknown>);
  if (entries.length !== 1) return null;
  const [field, condition] = entries[0];
  if (field.startsWith('$') || condition === null || typeof condition !== 'object') return null;
  const { $regex: pattern, $options: options, ...rest } = condition as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof pattern !== 'string' || options !== 'i') return null;
  const text = literalOfPattern(pattern);
  return text === null ? null : { text, fields: [field] };
}

/**
 * Reads one clause of a filter's top-level conjunction as a substring search: `{ f: { $regex, $options: 'i' } }`
 * or `{ $or: [...] }` of such clauses with the same text; null for anything else.
 */
export function substringSearchOf(clause: Filter): SubstringSearch | null {
  const keys = Object.keys(clause);
  if (keys.length === 1 && keys[0] === '$or') {
    const branches = clause['$or'];
    if (!Array.isArray(branches) || branches.length === 0) return null;
    const searches = branches.map(searchOnField).filter((search): search is SubstringSearch => search !== null);
    const text = searches[0]?.text;
    if (searches.length !== branches.length || searches.some((search) => search.text !== text)) return null;
    return { text: text as string, fields: searches.flatMap((search) => search.fields) };
  }
  return searchOnField(clause);
}

/** The clauses of a filter's top-level conjunction (`$and` flattened), each a filter of its own. */
export function conjunctsOf(filter: Filter): Filter[] {
  const clauses: Filter[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const item of value) clauses.push(...conjunctsOf(item as Filter));
    } else {
      clauses.push({ [key]: value });
    }
  }
  return clauses;
}

/** Whether a search text can use a trigram index that folds ASCII case only (shorter or other text is scanned). */
export function isTrigramSearchable(text: string): boolean {
  return text.length >= 3 && /^[\x20-\x7e]+$/.test(text);
}

/**
 * The distinct lower-cased trigrams of some texts, folding the two non-ASCII letters a case-insensitive regex
 * matches to ASCII ones (KELVIN SIGN to k, LONG S to s), so a text's trigrams hold every trigram of a searched text.
 */
export function trigramsOf(texts: readonly string[]): string[] {
  const grams = new Set<string>();
  for (const text of texts) {
    const chars = Array.from(text.toLowerCase().replace(/\u017f/g, 's'));
    for (let i = 0; i + 3 <= chars.length; i += 1) grams.add(chars[i] + chars[i + 1] + chars[i + 2]);
  }
  return [...grams];
}
