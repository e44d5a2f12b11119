import { conjunctsOf, isTrigramSearchable, substringSearchOf, type Filter, type SortSpec } from '@as2-partners/kernel';
import type { CollectionIndexState } from './collection-catalog';
import { jsonPathOf, keyExpression, keyParameter } from './indexed-path';
import { withIdTieBreaker } from './mongo-sort-order';

/**
 * How SQLite narrows a query: conditions on the collection's indexed fields and its search index, and the order
 * when every sort key is indexed. `exact` when the conditions are the whole filter: SQLite then counts and pages
 * alone; otherwise it hands over candidates that the full filter judges in JavaScript.
 */
export interface QueryPlan {
  readonly where: readonly string[];
  readonly params: readonly unknown[];
  readonly orderBy: string | null;
  /** The order's key expressions when every key ascends (a keyset seek compares them as one row value); else null. */
  readonly orderKeys: readonly string[] | null;
  /** The fields of `orderKeys`, in order (`_id` last), or null with them. */
  readonly orderFields: readonly string[] | null;
  readonly exact: boolean;
  /** The table as the query names it: a search reads its few matches by `seq` rather than walk a tenant's index. */
  readonly source: string;
  /** The FTS5 queries of its search clauses (what decides between reading the matches and walking the order's index). */
  readonly searchPhrases: readonly string[];
  /** Its search clauses, where each sits in `where` and `params` (so another condition can stand in for the trigram match). */
  readonly searches: readonly SearchClause[];
}

/** A substring search clause of a plan: its term, its fields, and the index of its condition in `where` and `params`. */
export interface SearchClause {
  readonly text: string;
  readonly fields: readonly string[];
  readonly where: number;
  readonly param: number;
}

/**
 * The plan with another condition in place of a search clause's trigram match (one parameter becomes `params`).
 * Only for a plan's single search clause: the indexes of later clauses would move.
 */
export function withSearchCondition(plan: QueryPlan, clause: SearchClause, condition: string, params: readonly unknown[], source = plan.source): QueryPlan {
  const where = [...plan.where];
  where[clause.where] = condition;
  const replaced = [...plan.params];
  replaced.splice(clause.param, 1, ...params);
  return { ...plan, where, params: replaced, source, searchPhrases: [], searches: [] };
}

/**
 * A substring test of the fields' text in SQL, exact for a printable ASCII term where the trigram match is (the
 * fields hold plain strings): SQLite's `lower` folds ASCII only, as a case-insensitive regex does for an ASCII term,
 * and a number or boolean field is no text to either. Its parameters: the lower-cased term once per field.
 */
export function substringCondition(clause: SearchClause): { condition: string; params: string[] } {
  const tests = clause.fields.map((field) => {
    const path = `'${jsonPathOf(field).replace(/'/g, "''")}'`;
    return `(json_type(body, ${path}) = 'text' AND instr(lower(body ->> ${path}), ?) > 0)`;
  });
  return { condition: `(${tests.join(' OR ')})`, params: clause.fields.map(() => clause.text.toLowerCase()) };
}

const isOperatorFree = (value: unknown): boolean => value === null || typeof value !== 'object' || value instanceof RegExp;

interface Conditions {
  readonly where: string[];
  readonly params: unknown[];
  /** The conditions say all the clause says. */
  exact: boolean;
}

/** A range bound on a string or a number, kept within its type as MongoDB compares (text sorts above numbers, booleans above text). */
function rangeCondition(key: string, operator: string, bound: unknown, into: Conditions): boolean {
  const sign = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' }[operator];
  if (!sign || !((typeof bound === 'number' && Number.isFinite(bound)) || typeof bound === 'string')) return false;
  into.where.push(`${key} ${sign} ?`);
  into.params.push(bound);
  const upward = sign.startsWith('>');
  if (typeof bound === 'number' && upward) into.where.push(`${key} < ''`);
  if (typeof bound === 'string') into.where.push(upward ? `${key} < x''` : `${key} >= ''`);
  return true;
}

/** SQL for one clause on an indexed field: equality, $eq, $in, $ne null and ranges on scalars; other operators are left to the filter. */
function fieldConditions(field: string, condition: unknown, into: Conditions): void {
  const key = keyExpression(field);
  const equality = (value: unknown): boolean => {
    const parameter = keyParameter(value);
    if (parameter === undefined) return false;
    if (parameter === null) {
      into.where.push(`${key} IS NULL`);
    } else {
      into.where.push(`${key} = ?`);
      into.params.push(parameter);
    }
    return true;
  };
  if (isOperatorFree(condition)) {
    if (!equality(condition)) into.exact = false;
    return;
  }
  const operators = Object.entries(condition as Record<string, unknown>);
  if (operators.length === 0) into.exact = false;
  for (const [operator, operand] of operators) {
    let handled = false;
    if (operator === '$eq') {
      handled = isOperatorFree(operand) && equality(operand);
    } else if (operator === '$in' && Array.isArray(operand) && operand.length > 0) {
      const parameters = operand.map(keyParameter);
      if (parameters.every((parameter) => parameter !== undefined && parameter !== null)) {
        into.where.push(`${key} IN (${parameters.map(() => '?').join(', ')})`);
        into.params.push(...parameters);
        handled = true;
      }
    } else if (operator === '$ne' && operand === null) {
      into.where.push(`${key} IS NOT NULL`);
      handled = true;
    } else {
      handled = rangeCondition(key, operator, operand, into);
    }
    if (!handled) into.exact = false;
  }
}

/** An FTS5 query for the text as one phrase: the trigram tokenizer finds it as a substring, case folded. */
export const phraseQuery = (text: string): string => `"${text.replace(/"/g, '""')}"`;

export function planQuery(filter: Filter, sort: SortSpec | undefined, state: CollectionIndexState): QueryPlan {
  const conditions: Conditions = { where: [], params: [], exact: true };
  const searchPhrases: string[] = [];
  const searches: SearchClause[] = [];
  for (const clause of conjunctsOf(filter)) {
    const [field, condition] = Object.entries(clause)[0] ?? [];
    if (field !== undefined && !field.startsWith('$') && state.isIndexed(field)) {
      fieldConditions(field, condition, conditions);
      continue;
    }
    const search = substringSearchOf(clause);
    const searched = state.search?.fields ?? [];
    if (search && isTrigramSearchable(search.text) && search.fields.every((name) => searched.includes(name))) {
      searches.push({ text: search.text, fields: search.fields, where: conditions.where.length, param: conditions.params.length });
      conditions.where.push('seq IN (SELECT rowid FROM read_model_search WHERE read_model_search MATCH ?)');
      conditions.params.push(phraseQuery(search.text));
      searchPhrases.push(phraseQuery(search.text));
      // a printable ASCII term never spans the newline between two fields' texts, and both sides fold ASCII case only
      if (!state.searchAnswers(search.fields)) conditions.exact = false;
    } else {
      conditions.exact = false;
    }
  }
  const keys = Object.entries(withIdTieBreaker(sort));
  const orderBy = keys.every(([field]) => state.isIndexed(field))
    ? keys.map(([field, direction]) => `${keyExpression(field)} ${direction === -1 ? 'DESC' : 'ASC'}`).join(', ')
    : null;
  const orderFields = orderBy && keys.every(([, direction]) => direction !== -1) ? keys.map(([field]) => field) : null;
  const orderKeys = orderFields ? orderFields.map(keyExpression) : null;
  const { where, params, exact } = conditions;
  const source = searchPhrases.length > 0 ? 'read_model_docs NOT INDEXED' : 'read_model_docs';
  return { where, params, orderBy, orderKeys, orderFields, exact, source, searchPhrases, searches };
}
