import type { Statement } from 'better-sqlite3';
import { phraseQuery } from './query-plan';

/** Documents (of any collection) a trigram is found in from which it is common: its doclist is what a search pays for. */
export const COMMON_FROM = 1000;
/** Trigrams known at most (a bound on memory; past it the knowledge starts again). */
const MAX_KNOWN = 50_000;

/** An FTS5 query for a term's rare parts: `whole` when it is the term's own phrase (no other document can match it). */
export interface NarrowQuery {
  readonly query: string;
  readonly whole: boolean;
}

/**
 * Which trigrams of the search index are rare, learnt once each (a count of its matches up to COMMON_FROM): a phrase
 * costs SQLite a seek in every trigram's doclist, and the long doclists of the common ones (`as2`, `hub`, `-hu` in
 * every hub partner's AS2 id) cost most of it. A term's rare parts alone find a superset of its matches, which the
 * substring test then narrows to them. What is known may age as documents change: that costs speed, never a match.
 */
export class TrigramRarity {
  private readonly known = new Map<string, boolean>();

  constructor(private readonly matchesUpTo: Statement<[string, number], number>) {}

  /** The FTS5 query of a printable ASCII term's runs of rare trigrams, joined by AND; null when none is rare. */
  narrowQuery(term: string): NarrowQuery | null {
    const text = term.toLowerCase();
    const runs: string[] = [];
    let start = -1;
    for (let i = 0; i + 3 <= text.length; i += 1) {
      if (this.isRare(text.slice(i, i + 3))) {
        if (start < 0) start = i;
      } else if (start >= 0) {
        // the run's last trigram started at i - 1
        runs.push(text.slice(start, i + 2));
        start = -1;
      }
    }
    if (start >= 0) runs.push(text.slice(start));
    if (runs.length === 0) return null;
    return { query: runs.map(phraseQuery).join(' AND '), whole: runs.length === 1 && runs[0].length === text.length };
  }

  private isRare(trigram: string): boolean {
    let rare = this.known.get(trigram);
    if (rare === undefined) {
      rare = (this.matchesUpTo.get(phraseQuery(trigram), COMMON_FROM) ?? 0) < COMMON_FROM;
      if (this.known.size >= MAX_KNOWN) this.known.clear();
      this.known.set(trigram, rare);
    }
    return rare;
  }
}
