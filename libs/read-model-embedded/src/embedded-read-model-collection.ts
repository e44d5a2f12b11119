import type { Filter, FindQuery, Page, ReadModelCollection, ReadModelDocument, WriteListener } from '@as2-partners/kernel';
import { Query } from 'mingo';
import type { CollectionCatalog, CollectionIndexState } from './collection-catalog';
import { CountCache } from './count-cache';
import { FirstPages } from './first-pages';
import type { KeptQueries } from './kept-queries';
import { PageBoundaries, type BoundedQuery, type QueryTests, type SortKey } from './page-boundaries';
import { compileFastFilter, Verdict } from './fast-filter';
import { alternativesOf } from './indexed-alternatives';
import { collectionLiteral, keyExpression, searchTextOf, sortKeyOf } from './indexed-path';
import { sortDocuments, withIdTieBreaker } from './mongo-sort-order';
import { planQuery, substringCondition, withSearchCondition, type QueryPlan, type SearchClause } from './query-plan';
import type { PendingSearchTexts } from './pending-search-texts';
import type { ReadModelDocumentTable } from './read-model-document-table';
import type { TurnTransaction } from './turn-transaction';

/**
 * Rows of a bulk load's writes held per collection and written in one statement, and the most rows of one write in one
 * statement (SQLite opens a cursor on every index of the table per statement run: a row costs ~19 µs alone with 59 other
 * collections' partial indexes live, ~8 µs in 100-row statements).
 */
export const HELD_ROWS_PER_STATEMENT = 100;

/** A query's parameters as text, for the keys of what is kept per query (a blob by its first byte: the booleans'). */
const paramsKey = (params: readonly unknown[]): string => JSON.stringify(params.map((param) => (Buffer.isBuffer(param) ? `blob:${param[0]}` : param)));

/** Matches of a search term (over every collection) from which its pages walk the order's index rather than sort the matches. */
const BROAD_SEARCH = 2000;
/**
 * What stepping over a row costs a seek from a page cursor (each branch reads it, the merge sorts it) against an offset
 * walk of the index stepping over one (measured at 100,000 rows: ~1 µs against ~0.2): a cursor further from the page
 * than 1/SEEK_STEP_COST of the page's offset is not used.
 */
const SEEK_STEP_COST = 8;
/** Search terms remembered as broad at most (a term's matches only grow past the bound or shrink below it by writes). */
const MAX_BROAD_TERMS = 1000;
/** The condition standing for a narrow search's matches, read once from the trigram index: a JSON array of their `seq`. */
const AMONG_MATCHES = 'seq IN (SELECT value FROM json_each(?))';

/**
 * How a find reads an exact, ordered search: `matches` (a narrow term), all its matches in the scope ordered by one
 * query over the `seq`s the trigram index gave; `walk` (a broad term), the order's index walked with the substring
 * tested in SQL, `count` how its count is read (broadCountPlan, decided once a count is asked for).
 */
type SearchRead = { readonly matches: QueryPlan } | { readonly walk: QueryPlan; readonly count: () => QueryPlan };

type StoredRow = { seq: number; body: string };
type Parsed = Record<string, unknown>;
/** A query's filter test and sort key, from its filter and its order's fields. */
const boundedTests = ({ filter, fields }: BoundedQuery): QueryTests => ({ matches: filterTest(filter), keyOf: sortKeyOf(fields) });

/** A document to write: its id, its JSON text, the document. */
type Row<T> = [string, string, T];

/** A JavaScript test of the whole filter: the fast path for plain filters, mingo for the rest. */
function filterTest(filter: Filter): (doc: Parsed) => boolean {
  if (Object.keys(filter).length === 0) return () => true;
  let query: Query | undefined;
  const byMingo = (doc: Parsed): boolean => (query ??= new Query(filter)).test(doc);
  const fast = compileFastFilter(filter);
  if (!fast) return byMingo;
  return (doc) => {
    const verdict = fast(doc);
    return verdict === Verdict.Undecided ? byMingo(doc) : verdict === Verdict.Yes;
  };
}

/**
 * A collection kept in SQLite only: reads by id are one primary-key lookup, finds run through the declared
 * indexes (partial expression indexes) and the trigram search index, so a query reads the documents it answers
 * and the candidates its index conditions leave, never the whole collection unless nothing narrows it.
 * Counts of index-answered filters are kept and counted on by every write (CountCache).
 */
export class EmbeddedReadModelCollection<T extends ReadModelDocument> implements ReadModelCollection<T> {
  private readonly scope: string;
  private readonly counts = new CountCache();
  private readonly boundaries = new PageBoundaries();
  private readonly firstPages = new FirstPages();
  /** FTS5 phrases found to match more than BROAD_SEARCH documents: their pages walk the order's index. */
  private readonly broadTerms = new Set<string>();
  /** Per broad term and scope, whether its matches are counted through the trigram index (broadCountPlan). */
  private readonly broadCounts = new Map<string, boolean>();
  /** ReadModelStore.watchWrites: told of each write once it is made (synchronously, so a reader never sees one without the other). */
  private readonly listeners: WriteListener[] = [];
  /** The rows of one write in a savepoint of the turn's transaction (built once: a wrapper per write cost ~7 % of a rebuild). */
  private readonly writeRows: (rows: readonly Row<T>[]) => void;
  private readonly deleteRows: (ids: readonly string[]) => void;
  /**
   * During a bulk load, the rows `put` wrote and SQLite does not hold yet (by id, in the order first written): written in
   * multi-row statements once HELD_ROWS_PER_STATEMENT are held, before this collection is read other than by id, before
   * the transaction commits and at the load's end. A read by id answers from them first.
   */
  private held = new Map<string, Row<T>>();
  /**
   * From this collection's clear in a running bulk load to the load's end, the ids written since: a read by id of any
   * other finds nothing, without asking SQLite (a rebuild's consumers read each partner's document before its first
   * write: ~1 s of 830,000 reads at 277,000 partners). Null otherwise, and after a failed commit (it may have undone the clear).
   */
  private writtenSinceClear: Set<string> | null = null;

  constructor(
    private readonly name: string,
    private readonly state: CollectionIndexState,
    private readonly table: ReadModelDocumentTable,
    private readonly catalog: CollectionCatalog,
    private readonly turn: TurnTransaction,
    private readonly searchTexts: PendingSearchTexts,
  ) {
    this.scope = `collection = ${collectionLiteral(name)}`;
    const writeRows = table.db.transaction((rows: readonly Row<T>[]) => this.writeTogether(rows));
    const deleteRows = table.db.transaction((ids: readonly string[]) => {
      for (const id of ids) this.deleteOne(id);
    });
    this.writeRows = (rows) => this.undoneOnFailure(() => writeRows(rows));
    this.deleteRows = (ids) => this.undoneOnFailure(() => deleteRows(ids));
    // a failed commit undid writes the counts and cursors already took in; rows held for it are lost with it
    turn.onRollback.push(() => {
      this.counts.clear();
      this.boundaries.clear();
      this.firstPages.clear();
      this.held.clear();
      this.writtenSinceClear = null;
    });
    turn.heldWrites.push(() => this.writeHeld());
  }

  /** A write SQLite refused is undone (its savepoint), but the kept counts and cursors already took in its rows: dropped. */
  private undoneOnFailure(work: () => void): void {
    try {
      if (this.state.search) this.searchTexts.undoneOnFailure(work);
      else work();
    } catch (error) {
      this.counts.clear();
      this.boundaries.clear();
      this.firstPages.clear();
      // search texts a bulk load kept from the undone rows name `seq`s that are free again
      this.catalog.bulkLoad?.search.get(this.state)?.doubtful();
      throw error;
    }
  }

  /** What this run learnt of the queries, for a clean stop to keep (null: nothing). */
  keptQueries(): KeptQueries | null {
    const kept = { counts: this.counts.kept(), boundaries: this.boundaries.kept(), firstPages: this.firstPages.kept(), broadTerms: [...this.broadTerms] };
    return kept.counts.length + kept.boundaries.length + kept.firstPages.length + kept.broadTerms.length > 0 ? kept : null;
  }

  /** Takes in what a clean stop kept of the same documents (before any write or read of this run). */
  carry(kept: KeptQueries): void {
    this.counts.carry(kept.counts, filterTest);
    this.boundaries.carry(kept.boundaries, boundedTests);
    this.firstPages.carry(kept.firstPages, boundedTests);
    for (const term of kept.broadTerms.slice(0, MAX_BROAD_TERMS)) this.broadTerms.add(term);
  }

  watch(listener: WriteListener): void {
    if (this.listeners.length === 0) this.turn.onRollback.push(() => this.tell(null, null));
    this.listeners.push(listener);
  }

  /**
   * A bulk load's writes are not told one by one (nothing serves queries meanwhile, and the clear that starts a rebuild
   * already made every answer built before stale): the listeners hear once, when it ends, that any document may have
   * changed (`loadEnded`).
   */
  private untoldWrites = false;

  private tell(id: string | null, doc: ReadModelDocument | null): void {
    if (this.catalog.bulkLoad) {
      this.untoldWrites = true;
      return;
    }
    for (const listener of this.listeners) listener(id, doc);
  }

  /** The bulk load ended: listeners hear once that any document may have changed, if it wrote here. */
  loadEnded(): void {
    this.writtenSinceClear = null;
    if (!this.untoldWrites) return;
    this.untoldWrites = false;
    this.tell(null, null);
  }

  async get(id: string): Promise<T | null> {
    const held = this.held.get(id);
    if (held) return JSON.parse(held[1]) as T;
    const row = this.stored(id);
    return row ? (JSON.parse(row.body) as T) : null;
  }

  /** The row SQLite holds under `id` (see `writtenSinceClear`). */
  private stored(id: string): { body: string } | undefined {
    if (this.writtenSinceClear !== null && !this.writtenSinceClear.has(id)) return undefined;
    return this.table.getStatement.get(this.name, id);
  }

  async put(doc: T): Promise<void> {
    this.write([doc]);
  }

  /** From the (collection, id) unique index alone: no document read. */
  async ids(after: string, limit: number): Promise<string[]> {
    this.flushHeld();
    return this.table.idsAfter.all(this.name, after, limit);
  }

  /** One process owns the embedded files, and this check and write run synchronously, without an await between them: atomic. */
  async insert(doc: T): Promise<boolean> {
    return this.turn.write(() => {
      if (this.held.has(doc._id) || this.stored(doc._id)) return false;
      this.write([doc]);
      return true;
    });
  }

  async putMany(docs: readonly T[]): Promise<void> {
    if (docs.length > 0) this.write(docs);
  }

  async delete(id: string): Promise<void> {
    this.flushHeld();
    this.turn.write(() => this.deleteRows([id]));
    if (this.listeners.length > 0) this.tell(id, null);
  }

  async deleteMany(filter: Filter): Promise<number> {
    this.flushHeld();
    const ids = this.matchingRows(filter).map((row) => (JSON.parse(row.body) as ReadModelDocument)._id);
    if (ids.length === 0) return 0;
    this.turn.write(() => this.deleteRows(ids));
    if (this.listeners.length > 0) this.tell(null, null);
    return ids.length;
  }

  async find(query: FindQuery): Promise<Page<T>> {
    this.flushHeld();
    const alternatives = alternativesOf(query.filter, (field) => this.state.isIndexed(field));
    if (alternatives) return this.findInAlternatives(query, alternatives);
    let plan = this.plan(query.filter, query.sort);
    const skip = query.skip ?? 0;
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    let countPlan = (): QueryPlan => plan;
    const search = this.searchRead(plan);
    if (search && 'matches' in search) return this.pageOfMatches(search.matches, skip, limit);
    if (search) [plan, countPlan] = [search.walk, search.count];
    if (plan.exact && plan.orderBy) {
      // a page past a kept count is empty: no walk of the index to its offset (a descending order has no page boundaries)
      const counted = skip > 0 && !search ? this.counts.get(this.countKey(plan)) : undefined;
      if (counted !== undefined && skip >= counted) return { items: [], total: query.withoutTotal ? skip : counted };
      const walked = search !== undefined && skip === 0 && plan.orderKeys !== null && plan.orderFields !== null && Number.isFinite(limit) && limit > 0;
      const items = walked
        ? this.walkedFirstPage(plan, plan.orderKeys as readonly string[], plan.orderFields as readonly string[], query.filter, limit)
        : skip === 0
          ? this.firstPage(plan, limit)
          : this.pageAfter(plan, query.filter, skip, limit);
      // a short page ends the matches: no count needed
      const total = query.withoutTotal || (items.length > 0 && items.length < limit) ? skip + items.length : this.countOf(countPlan(), query.filter);
      return { items, total };
    }
    const test = plan.exact ? () => true : filterTest(query.filter);
    if (plan.orderBy) {
      // candidates arrive in order: count them all, keep the page
      const items: T[] = [];
      let total = 0;
      for (const row of this.candidates(plan, true)) {
        const doc = JSON.parse(row.body) as Parsed;
        if (!test(doc)) continue;
        if (total >= skip && total < skip + limit) items.push(doc as T);
        total += 1;
      }
      return { items, total };
    }
    const matched: Parsed[] = [];
    for (const row of this.candidates(plan, false)) {
      const doc = JSON.parse(row.body) as Parsed;
      if (test(doc)) matched.push(doc);
    }
    const keep = Number.isFinite(limit) ? skip + limit : matched.length;
    const ordered = sortDocuments(matched, (doc) => doc, withIdTieBreaker(query.sort), keep);
    return { items: ordered.slice(skip) as T[], total: matched.length };
  }

  /** A narrow search's page: every match in the scope ordered (their count is the total), only the page's rows parsed. */
  private pageOfMatches(plan: QueryPlan, skip: number, limit: number): Page<T> {
    const seqs = this.table
      .prepared(`SELECT seq FROM ${plan.source} WHERE ${this.conditions(plan)} ORDER BY ${plan.orderBy}`)
      .pluck()
      .all(...plan.params) as number[];
    const items = this.bodiesOf(seqs.slice(skip, skip + limit));
    return { items, total: seqs.length };
  }

  /**
   * An exact, ordered plan with one search clause, read the way its term's matches call for: the trigram index is
   * asked once (its matches up to BROAD_SEARCH + 1, or those of the term's rare parts when it has common trigrams; a
   * term known to be broad is not asked again), so a narrow term's page and count come from the same matches and a
   * broad term's page never builds the set of its matches.
   */
  private searchRead(plan: QueryPlan): SearchRead | undefined {
    const clause = plan.searches.length === 1 && plan.exact && plan.orderBy ? plan.searches[0] : undefined;
    if (!clause) return undefined;
    const phrase = plan.searchPhrases[0];
    if (!this.broadTerms.has(phrase)) {
      const narrow = this.table.rarity.narrowQuery(clause.text);
      if (narrow && !narrow.whole) {
        // the term's rare parts find a superset of its matches: the substring test keeps its own
        const candidates = this.table.searchMatches.all(narrow.query, BROAD_SEARCH + 1);
        if (candidates.length <= BROAD_SEARCH) {
          const substring = substringCondition(clause);
          return { matches: withSearchCondition(plan, clause, `${AMONG_MATCHES} AND ${substring.condition}`, [JSON.stringify(candidates), ...substring.params]) };
        }
      }
      const seqs = this.table.searchMatches.all(phrase, BROAD_SEARCH + 1);
      if (seqs.length <= BROAD_SEARCH) return { matches: withSearchCondition(plan, clause, AMONG_MATCHES, [JSON.stringify(seqs)]) };
      if (this.broadTerms.size >= MAX_BROAD_TERMS) this.broadTerms.clear();
      this.broadTerms.add(phrase);
    }
    const substring = substringCondition(clause);
    const walk = withSearchCondition(plan, clause, substring.condition, substring.params, 'read_model_docs');
    // decided when a count is asked for (a kept first page answers without one)
    return { walk, count: () => this.broadCountPlan(plan, clause, phrase, walk) };
  }

  /**
   * How a broad term's matches in the scope are counted: through the trigram index (its set of matches beside the
   * scope's index) when the whole store holds fewer of them than the scope holds documents, else by testing the
   * scope's documents in SQL (the walk's conditions). The term is broad across every tenant and collection: counted
   * through the index alone, a tenant of 100 partners paid for the 1.4 million matches of other tenants (3 s of event
   * loop). Decided once per term and scope, from the scope's index entries and the term's matches up to that many.
   */
  private broadCountPlan(plan: QueryPlan, clause: SearchClause, phrase: string, walk: QueryPlan): QueryPlan {
    const throughTrigrams: QueryPlan = { ...plan, source: 'read_model_docs' };
    // a count kept (carried over a stop, too) answers whichever way it was counted
    if (this.counts.get(this.countKey(throughTrigrams)) !== undefined) return throughTrigrams;
    if (this.counts.get(this.countKey(walk)) !== undefined) return walk;
    const scope = withSearchCondition(plan, clause, '1', [], 'read_model_docs');
    const key = `${phrase}\u0000${this.conditions(scope)}\u0000${paramsKey(scope.params)}`;
    let throughIndex = this.broadCounts.get(key);
    if (throughIndex === undefined) {
      const documents = this.table.prepared(`SELECT count(*) FROM read_model_docs WHERE ${this.conditions(scope)}`).pluck().get(...scope.params) as number;
      throughIndex = (this.table.searchMatchesUpTo.get(phrase, documents + 1) ?? 0) <= documents;
      if (this.broadCounts.size >= MAX_BROAD_TERMS) this.broadCounts.clear();
      this.broadCounts.set(key, throughIndex);
    }
    return throughIndex ? throughTrigrams : walk;
  }

  /**
   * A page past the first: seeks in the index to the closest known boundary at or before it (its keyset cursor) and
   * steps over the rest only; reads the row before the page too, so the same page is a seek next time, and remembers
   * where the next page starts.
   */
  private pageFromBoundary(plan: QueryPlan, orderKeys: readonly string[], fields: readonly string[], filter: Filter, skip: number, limit: number): number[] {
    const conditions = this.conditions(plan);
    const query = `${conditions}\u0000${plan.orderBy}\u0000${paramsKey(plan.params)}`;
    const nearest = this.boundaries.nearest(query, skip);
    // a seek reads and sorts every row between the cursor and the page in each of its branches: from a cursor far
    // before the page, an offset walk of the index from the start (no sort) costs less
    const start = nearest && (skip - nearest.position) * SEEK_STEP_COST <= skip ? nearest : undefined;
    const from = start?.position ?? 0;
    // the row before the page, unless a boundary is known at the page itself
    const leading = from < skip ? 1 : 0;
    const wanted = Number.isFinite(limit) ? limit + leading : -1;
    const offset = skip - from - leading;
    const columns = orderKeys.map((key, i) => `${key} AS k${i}`).join(', ');
    let rows: unknown[][];
    if (!start) {
      rows = this.table
        .prepared(`SELECT seq, ${columns} FROM ${plan.source} WHERE ${conditions} ORDER BY ${plan.orderBy} LIMIT ? OFFSET ?`)
        .raw()
        .all(...plan.params, wanted, offset) as unknown[][];
    } else {
      // Rows after the key (k0..kn) > (b0..bn), one index range per branch (SQLite seeks a row value on expressions
      // by its first term only): k0..k(i-1) = b0..b(i-1) AND ki > bi, each in index order, merged by a sort of the few
      // rows they return.
      const enough = wanted < 0 ? -1 : wanted + offset;
      const branches: string[] = [];
      const params: unknown[] = [];
      for (let i = orderKeys.length - 1; i >= 0; i -= 1) {
        const seek = [...orderKeys.slice(0, i).map((key) => `${key} = ?`), `${orderKeys[i]} > ?`].join(' AND ');
        // ordered by the keys after the equal ones: SQLite sees no order in keys an equality fixes, and would sort them
        branches.push(`SELECT * FROM (SELECT seq, ${columns} FROM ${plan.source} WHERE ${conditions} AND ${seek} ORDER BY ${orderKeys.slice(i).join(', ')} LIMIT ?)`);
        params.push(...plan.params, ...start.key.slice(0, i + 1), enough);
      }
      const order = orderKeys.map((_, i) => `k${i}`).join(', ');
      rows = this.table
        .prepared(`SELECT * FROM (${branches.join(' UNION ALL ')}) ORDER BY ${order} LIMIT ? OFFSET ?`)
        .raw()
        .all(...params, wanted, offset) as unknown[][];
    }
    const keyOf = (row: unknown[]): SortKey => row.slice(1);
    const bounded = { filter, fields };
    const remember = (position: number, row: unknown[]): void => this.boundaries.remember(query, bounded, () => boundedTests(bounded), position, keyOf(row));
    if (leading && rows.length > 0) remember(skip, rows.shift() as unknown[]);
    if (rows.length > 0 && Number.isFinite(limit)) remember(skip + rows.length, rows.at(-1) as unknown[]);
    return rows.map((row) => row[0] as number);
  }

  /**
   * A page of a filter split into disjoint alternatives (`alternativesOf`), each an index range of its own: their first
   * skip + limit documents merged in the sort's order (MongoDB's order: the `_id` breaks ties), their totals summed.
   * Where SQLite answers each whole, they are counted first from the kept counts, and one that matches alone is paged
   * as any filter is (a deep page seeks rather than reads the pages before it).
   */
  private async findInAlternatives(query: FindQuery, alternatives: readonly Filter[]): Promise<Page<T>> {
    const skip = query.skip ?? 0;
    const kept = skip + (query.limit ?? Number.POSITIVE_INFINITY);
    const firstOf = (filter: Filter, withoutTotal: boolean) => this.find({ filter, sort: query.sort, ...(Number.isFinite(kept) ? { limit: kept } : {}), withoutTotal });
    let pages: Page<T>[];
    let total: number;
    if (alternatives.every((alternative) => this.plan(alternative).exact)) {
      // counted from the kept counts: one alternative that matches alone is paged as any filter (a deep page seeks)
      const counts = await Promise.all(alternatives.map((alternative) => this.count(alternative)));
      const matching = alternatives.filter((_, i) => counts[i] > 0);
      if (matching.length <= 1) return this.find({ ...query, filter: matching[0] ?? alternatives[0] });
      total = counts.reduce((sum, count) => sum + count, 0);
      if (skip >= total) return { items: [], total };
      const merged = this.mergedInIndexOrder(matching, query.sort, skip, kept - skip);
      if (merged) return { items: merged, total };
      pages = await Promise.all(matching.map((filter) => firstOf(filter, true)));
    } else {
      // a count would read each range once more than its page does: each counts what it reads
      pages = await Promise.all(alternatives.map((filter) => firstOf(filter, false)));
      total = pages.reduce((sum, page) => sum + page.total, 0);
    }
    const merged = sortDocuments(pages.flatMap((page) => page.items), (doc) => doc, withIdTieBreaker(query.sort), Number.isFinite(kept) ? kept : undefined);
    return { items: merged.slice(skip), total };
  }

  /**
   * A page of several alternatives, each walked in its index's order, merged by SQLite (one compound query, MERGE UNION
   * ALL): a deep page steps over index entries, not parsed documents, and only the page's bodies are read. Null when
   * an alternative's order is not its index's (a sort on a field no index holds, a search).
   */
  private mergedInIndexOrder(alternatives: readonly Filter[], sort: FindQuery['sort'], skip: number, limit: number): T[] | null {
    const plans = alternatives.map((alternative) => this.plan(alternative, sort));
    if (!plans.every((plan) => plan.exact && plan.orderBy && plan.searchPhrases.length === 0)) return null;
    const keys = Object.entries(withIdTieBreaker(sort));
    const columns = keys.map(([field], i) => `${keyExpression(field)} AS o${i}`).join(', ');
    const arms = plans.map((plan) => `SELECT seq, ${columns} FROM ${plan.source} WHERE ${this.conditions(plan)}`);
    const order = keys.map(([, direction], i) => `o${i} ${direction === -1 ? 'DESC' : 'ASC'}`).join(', ');
    const seqs = this.table
      .prepared(`${arms.join(' UNION ALL ')} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .pluck()
      .all(...plans.flatMap((plan) => plan.params), Number.isFinite(limit) ? limit : -1, skip) as number[];
    if (seqs.length === 0) return [];
    const bodies = new Map<number, string>();
    for (const row of this.table.prepared(`SELECT seq, body FROM read_model_docs WHERE ${AMONG_MATCHES}`).iterate(JSON.stringify(seqs)) as IterableIterator<StoredRow>) bodies.set(row.seq, row.body);
    return seqs.map((seq) => JSON.parse(bodies.get(seq) as string) as T);
  }

  /** SQLite's plan for a find's rows (EXPLAIN QUERY PLAN details), to check which index answers it. */
  explain(query: FindQuery): string[] {
    const alternatives = alternativesOf(query.filter, (field) => this.state.isIndexed(field));
    if (alternatives) return alternatives.flatMap((filter) => this.explain({ ...query, filter }));
    let plan = this.plan(query.filter, query.sort);
    const details: string[] = [];
    const search = this.searchRead(plan);
    if (search && 'matches' in search) {
      // the matches are read from the trigram index first
      details.push(...this.explained('SELECT rowid FROM read_model_search WHERE read_model_search MATCH ? LIMIT ?', [plan.searchPhrases[0], BROAD_SEARCH + 1]));
      plan = search.matches;
    } else if (search) {
      plan = search.walk;
    }
    const order = plan.orderBy ? ` ORDER BY ${plan.orderBy}` : '';
    return [...details, ...this.explained(`SELECT seq FROM ${plan.source} WHERE ${this.conditions(plan)}${order}`, plan.params)];
  }

  private explained(sql: string, params: readonly unknown[]): string[] {
    return this.table
      .prepared(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params)
      .map((row) => (row as { detail: string }).detail);
  }

  /**
   * A broad search's first page, found by walking the order's index and testing each row's text: its rows kept
   * (FirstPages) until a write can change them, so a write elsewhere in the tenant (its creates) costs no second walk.
   */
  private walkedFirstPage(plan: QueryPlan, orderKeys: readonly string[], fields: readonly string[], filter: Filter, limit: number): T[] {
    const conditions = this.conditions(plan);
    const query = `${conditions}\u0000${plan.orderBy}\u0000${paramsKey(plan.params)}\u0000${limit}`;
    const kept = this.firstPages.get(query);
    if (kept) return this.bodiesOf(kept);
    const columns = orderKeys.map((key, i) => `${key} AS k${i}`).join(', ');
    const rows = this.table
      .prepared(`SELECT seq, body, ${columns} FROM ${plan.source} WHERE ${conditions} ORDER BY ${plan.orderBy} LIMIT ?`)
      .raw()
      .all(...plan.params, limit) as unknown[][];
    const last = rows.length === limit ? (rows.at(-1) as unknown[]).slice(2) : null;
    const bounded = { filter, fields };
    this.firstPages.keep(query, bounded, boundedTests(bounded), rows.map((row) => row[0] as number), last);
    return rows.map((row) => JSON.parse(row[1] as string) as T);
  }

  /** The first page of an exact ordered plan (a walk in pages of a keyset): the bodies in the same statement, not one statement per row. */
  private firstPage(plan: QueryPlan, limit: number): T[] {
    const bodies = this.table
      .prepared(`SELECT body FROM ${plan.source} WHERE ${this.conditions(plan)} ORDER BY ${plan.orderBy} LIMIT ?`)
      .pluck()
      .all(...plan.params, Number.isFinite(limit) ? limit : -1) as string[];
    return bodies.map((body) => JSON.parse(body) as T);
  }

  /** A later page of an exact ordered plan: from a kept page boundary where the order has keys, else by offset. */
  private pageAfter(plan: QueryPlan, filter: Filter, skip: number, limit: number): T[] {
    const seqs = plan.orderKeys && plan.orderFields
      ? this.pageFromBoundary(plan, plan.orderKeys, plan.orderFields, filter, skip, limit)
      : (this.table
          .prepared(`SELECT seq FROM ${plan.source} WHERE ${this.conditions(plan)} ORDER BY ${plan.orderBy} LIMIT ? OFFSET ?`)
          .pluck()
          .all(...plan.params, Number.isFinite(limit) ? limit : -1, skip) as number[]);
    return this.bodiesOf(seqs);
  }

  /** The documents of rows by `seq`, in that order (a row gone meanwhile left out). */
  private bodiesOf(seqs: readonly number[]): T[] {
    return seqs.flatMap((seq) => {
      const row = this.table.bodyBySeq.get(seq);
      return row ? [JSON.parse(row.body) as T] : [];
    });
  }

  async count(filter: Filter): Promise<number> {
    this.flushHeld();
    const alternatives = alternativesOf(filter, (field) => this.state.isIndexed(field));
    if (alternatives) return (await Promise.all(alternatives.map((alternative) => this.count(alternative)))).reduce((sum, count) => sum + count, 0);
    const plan = this.plan(filter);
    const search = this.searchRead(plan);
    if (search && 'matches' in search) {
      return this.table.prepared(`SELECT count(*) FROM ${search.matches.source} WHERE ${this.conditions(search.matches)}`).pluck().get(...search.matches.params) as number;
    }
    if (plan.exact) return this.countOf(search ? search.count() : plan, filter);
    return this.matchingRows(filter, plan).length;
  }

  async clear(): Promise<void> {
    this.flushHeld();
    // the trigram index is rewritten below: with the turn's changes in it first
    if (this.state.search) this.searchTexts.flush();
    this.turn.write(() => this.table.db.transaction(() => {
      // a bulk load's clear of most of the table empties it whole, of a large share of it deletes with the collection's
      // indexes down; either way they are up again for the load's writes (its rows come 100 a statement)
      const load = this.catalog.bulkLoad;
      const large = load ? this.catalog.largeClear(this.state, load) : null;
      if (load && large?.how === 'rewrite') {
        this.catalog.clearByRewrite(this.state, load, large.rows, large.all);
        if (this.state.search) load.searchOf(this.state).cleared();
        this.catalog.forgetIrregular(this.state);
        return;
      }
      if (this.state.search) {
        this.catalog.deleteSearchTexts(this.state, load && large ? { load, rows: large.rows } : null);
        load?.searchOf(this.state).cleared();
      }
      if (large) this.catalog.deleteWithoutIndexes(this.state);
      else this.table.db.prepare(`DELETE FROM read_model_docs WHERE ${this.scope}`).run();
      this.catalog.forgetIrregular(this.state);
    })());
    this.writtenSinceClear = this.catalog.bulkLoad ? new Set() : null;
    this.counts.clear();
    this.boundaries.clear();
    this.firstPages.clear();
    if (this.listeners.length > 0) this.tell(null, null);
  }

  private write(docs: readonly T[]): void {
    const rows = docs.map((doc) => this.serialize(doc));
    if (this.writtenSinceClear !== null) for (const [id] of rows) this.writtenSinceClear.add(id);
    if (this.catalog.bulkLoad) {
      this.hold(rows);
      return;
    }
    // One upsert is atomic on its own (SQLite undoes a failed statement; its search text is held until the commit); several share a savepoint.
    this.turn.write(() => (rows.length > 1 ? this.writeRows(rows) : this.undoneOnFailure(() => this.writeRow(...rows[0]))));
    if (this.listeners.length > 0) for (const [id, , doc] of rows) this.tell(id, doc as ReadModelDocument);
  }

  /**
   * A bulk load's rows held (see `held`), their irregular fields marked now; written once enough are held. Listeners
   * are not told during a load (`tell`).
   */
  private hold(rows: readonly Row<T>[]): void {
    this.turn.write(() => {
      for (const row of rows) {
        const irregular = this.state.newlyIrregular(row[2]);
        if (irregular.length > 0) this.catalog.markIrregular(this.state, irregular);
        this.held.set(row[0], row);
      }
    });
    if (this.listeners.length > 0) this.untoldWrites = true;
    if (this.held.size >= HELD_ROWS_PER_STATEMENT) this.flushHeld();
  }

  /** This collection's held rows written into the open transaction (before it is read); a failure fails the transaction (TurnTransaction.writeHeld). */
  flushHeld(): void {
    if (this.held.size === 0) return;
    // the held rows' search texts are written directly: after every change held before them
    if (this.state.search) this.searchTexts.flush();
    this.turn.writeHeld(() => this.writeHeld());
  }

  /**
   * Writes the held rows, HELD_ROWS_PER_STATEMENT a statement, keeping the counts, cursors and a load's search texts
   * (by the `seq` each row got) as `writeRow` does. Throws what SQLite refused; the caller fails the transaction.
   */
  private writeHeld(): void {
    if (this.held.size === 0) return;
    const held = this.held;
    this.held = new Map();
    const rows = [...held.values()];
    const load = this.catalog.bulkLoad;
    const search = this.state.search;
    const texts = search && load ? load.searchOf(this.state) : null;
    if (this.tracking) for (const [id, json] of rows) this.track(id, json);
    this.upsertInChunks(rows, search ? (id, seq) => {
      const doc = (held.get(id) as Row<T>)[2];
      if (!texts) this.table.searchReplace.run(seq, searchTextOf(doc, search.fields));
      else if (texts.complete) texts.texts.set(seq, searchTextOf(doc, search.fields));
    } : null);
  }

  /**
   * The rows of one write outside of a bulk load, in its savepoint: of distinct ids, in multi-row statements (each
   * statement pays for the shared table's write cursors once: ~30–60 µs), as a batch of events a consumer applies
   * together writes them; with an id repeated, a statement a row in order.
   */
  private writeTogether(rows: readonly Row<T>[]): void {
    if (new Set(rows.map(([id]) => id)).size < rows.length) {
      for (const [id, json, doc] of rows) this.writeRow(id, json, doc);
      return;
    }
    for (const [id, json, doc] of rows) this.takeInRow(id, json, doc);
    const search = this.state.search;
    if (!search) return this.upsertInChunks(rows, null);
    const docs = new Map(rows.map(([id, , doc]) => [id, doc]));
    this.upsertInChunks(rows, (id, seq) => this.searchTexts.set(seq, searchTextOf(docs.get(id) as T, search.fields)));
  }

  /** Upserts rows of distinct ids, HELD_ROWS_PER_STATEMENT a statement; `stored` is told each row's `seq` (null: none read back). */
  private upsertInChunks(rows: readonly Row<T>[], stored: ((id: string, seq: number) => void) | null): void {
    for (let start = 0; start < rows.length; start += HELD_ROWS_PER_STATEMENT) {
      const chunk = rows.slice(start, start + HELD_ROWS_PER_STATEMENT);
      const params: string[] = [];
      for (const [id, json] of chunk) params.push(this.name, id, json);
      if (stored === null) this.table.plainUpsertMany(chunk.length).run(...params);
      else for (const row of this.table.upsertMany(chunk.length).all(...params)) stored(row.id, row.seq);
    }
  }

  /** The kept counts and page cursors take in a write of `json` over what the table holds under `id`. */
  private track(id: string, json: string): void {
    const before = this.stored(id);
    const [was, now] = [before ? (JSON.parse(before.body) as Parsed) : null, JSON.parse(json) as Parsed];
    this.takeIn(was, now);
  }

  /** The kept counts, cursors and first pages take in a write: the document as it was (null: new) and as it is now (null: deleted). */
  private takeIn(was: Parsed | null, now: Parsed | null): void {
    this.counts.takeIn(was, now);
    this.boundaries.takeIn(was, now);
    this.firstPages.takeIn(was, now);
  }

  /** Whether a write must be taken in by kept counts, cursors or first pages (reading the document it replaces). */
  private get tracking(): boolean {
    return this.counts.size > 0 || this.boundaries.size > 0 || this.firstPages.size > 0;
  }

  /** What a row's write changes beside the table, taken in before it: kept counts and cursors, fields made irregular. */
  private takeInRow(id: string, json: string, doc: T): void {
    if (this.tracking) this.track(id, json);
    const irregular = this.state.newlyIrregular(doc);
    if (irregular.length > 0) this.catalog.markIrregular(this.state, irregular);
  }

  private writeRow(id: string, json: string, doc: T): void {
    this.takeInRow(id, json, doc);
    const stored = this.table.upsertStatement.get(this.name, id, json);
    // a bulk load's rows are held and written by writeHeld: this is a write outside of one
    if (stored && this.state.search) this.searchTexts.set(stored.seq, searchTextOf(doc, this.state.search.fields));
  }

  private deleteOne(id: string): void {
    const deleted = this.table.deleteStatement.get(this.name, id);
    if (!deleted) return;
    if (this.state.search) {
      this.searchTexts.set(deleted.seq, null);
      this.catalog.bulkLoad?.search.get(this.state)?.texts.delete(deleted.seq);
    }
    if (this.tracking) this.takeIn(JSON.parse(deleted.body) as Parsed, null);
  }

  private conditions(plan: QueryPlan): string {
    return [this.scope, ...plan.where].join(' AND ');
  }

  /** The kept count's key of a plan's count (its SQL and parameters). */
  private countKey(plan: QueryPlan): string {
    return `SELECT count(*) FROM ${plan.source} WHERE ${this.conditions(plan)}\u0000${paramsKey(plan.params)}`;
  }

  private countOf(plan: QueryPlan, filter: Filter): number {
    const sql = `SELECT count(*) FROM ${plan.source} WHERE ${this.conditions(plan)}`;
    const key = this.countKey(plan);
    const cached = this.counts.get(key);
    if (cached !== undefined) return cached;
    const total = this.table.prepared(sql).pluck().get(...plan.params) as number;
    this.counts.set(key, filter, filterTest(filter), total);
    return total;
  }

  private candidates(plan: QueryPlan, ordered: boolean): IterableIterator<StoredRow> {
    const order = ordered && plan.orderBy ? ` ORDER BY ${plan.orderBy}` : '';
    return this.table.prepared(`SELECT seq, body FROM ${plan.source} WHERE ${this.conditions(plan)}${order}`).iterate(...plan.params) as IterableIterator<StoredRow>;
  }

  /**
   * A query's plan, over the declared indexes. An exact search of
   * several terms that each match many documents walks the order's index, checking each entry against the sets of
   * matches, and stops at the page; otherwise it reads the matches by `seq` (one term: see searchRead).
   */
  private plan(filter: Filter, sort?: FindQuery['sort']): QueryPlan {
    const plan = planQuery(filter, sort, this.state);
    // the trigram index is read: it holds the turn's writes first
    if (plan.searchPhrases.length > 0) this.searchTexts.flush();
    // one search clause: decided by the find (searchRead), which reads its matches once
    if (!plan.exact || !plan.orderBy || plan.searchPhrases.length < 2) return plan;
    const broad = plan.searchPhrases.every((phrase) => this.table.searchMatchesUpTo.get(phrase, BROAD_SEARCH) === BROAD_SEARCH);
    return broad ? { ...plan, source: 'read_model_docs' } : plan;
  }

  private matchingRows(filter: Filter, plan = this.plan(filter)): StoredRow[] {
    const test = plan.exact ? () => true : filterTest(filter);
    const rows: StoredRow[] = [];
    for (const row of this.candidates(plan, false)) if (test(JSON.parse(row.body) as Parsed)) rows.push(row);
    return rows;
  }

  /** JSON text drops `undefined` fields the way the MongoDB store does (ignoreUndefined). */
  private serialize(doc: T): Row<T> {
    if (typeof doc._id !== 'string' || doc._id === '') {
      throw new TypeError(`read model document in "${this.name}" needs a non-empty string _id`);
    }
    return [doc._id, JSON.stringify(doc), doc];
  }
}
