import type { Filter } from '@as2-partners/kernel';
import { compareCodePoints } from './mongo-sort-order';

/**
 * A fast path in front of mingo (~40× faster on 10k documents) for the filters read models use: equality,
 * $eq $ne $in $nin $gt $gte $lt $lte $exists $regex $and $or on scalar values. It decides only where
 * MongoDB's semantics are plain; a document whose path meets an array answers UNDECIDED and mingo
 * judges it. A filter using anything else does not compile (null), and mingo runs the whole query.
 */
export enum Verdict {
  No = 0,
  Yes = 1,
  Undecided = 2,
}

export type FastPredicate = (doc: Record<string, unknown>) => Verdict;

type ValuePredicate = (value: unknown) => boolean;

const ARRAY = Symbol('array on path');

function resolvePath(doc: Record<string, unknown>, path: readonly string[]): unknown {
  let current: unknown = doc;
  for (const key of path) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) return ARRAY;
    if (typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return Array.isArray(current) ? ARRAY : current;
}

const isScalar = (value: unknown): value is string | number | boolean | null =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

function equals(expected: string | number | boolean | null): ValuePredicate {
  return expected === null ? (value) => value === null || value === undefined : (value) => value === expected;
}

/** Range bounds of null are left to mingo: its answer for a missing path differs from MongoDB's, and neither is ours to pick. */
function compareTo(bound: unknown, accept: (order: number) => boolean): ValuePredicate | null {
  if (typeof bound === 'number') return (value) => typeof value === 'number' && accept(value - bound);
  if (typeof bound === 'string') return (value) => typeof value === 'string' && accept(compareCodePoints(value, bound));
  if (typeof bound === 'boolean') return (value) => typeof value === 'boolean' && accept(Number(value) - Number(bound));
  return null;
}

function regexOf(pattern: unknown, options: unknown): RegExp | null {
  if (options !== undefined && (typeof options !== 'string' || !/^[ims]*$/.test(options))) return null;
  if (typeof pattern === 'string') return new RegExp(pattern, options ?? '');
  if (pattern instanceof RegExp && options === undefined && !/[gyu]/.test(pattern.flags)) return pattern;
  return null;
}

function operatorPredicate(operator: string, operand: unknown, all: Record<string, unknown>): ValuePredicate | null {
  switch (operator) {
    case '$eq':
      return isScalar(operand) ? equals(operand) : null;
    case '$ne':
      if (!isScalar(operand)) return null;
      return ((eq: ValuePredicate) => (value: unknown) => !eq(value))(equals(operand));
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand) || !operand.every(isScalar)) return null;
      const tests = operand.map(equals);
      const within = (value: unknown) => tests.some((test) => test(value));
      return operator === '$in' ? within : (value) => !within(value);
    }
    case '$gt':
      return compareTo(operand, (order) => order > 0);
    case '$gte':
      return compareTo(operand, (order) => order >= 0);
    case '$lt':
      return compareTo(operand, (order) => order < 0);
    case '$lte':
      return compareTo(operand, (order) => order <= 0);
    case '$exists':
      return operand ? (value) => value !== undefined : (value) => value === undefined;
    case '$regex': {
      const re = regexOf(operand, all['$options']);
      return re ? (value) => typeof value === 'string' && re.test(value) : null;
    }
    case '$options':
      return '$regex' in all ? () => true : null;
    default:
      return null;
  }
}

function fieldPredicate(field: string, condition: unknown): FastPredicate | null {
  if (field.startsWith('$')) return null;
  const path = field.split('.');
  let test: ValuePredicate | null;
  if (isScalar(condition)) {
    test = equals(condition);
  } else if (condition !== null && typeof condition === 'object' && !Array.isArray(condition) && !(condition instanceof RegExp)) {
    const operators = Object.entries(condition as Record<string, unknown>);
    if (operators.length === 0) return null;
    const tests: ValuePredicate[] = [];
    for (const [operator, operand] of operators) {
      const predicate = operatorPredicate(operator, operand, condition as Record<string, unknown>);
      if (!predicate) return null;
      tests.push(predicate);
    }
    test = tests.length === 1 ? tests[0] : (value) => tests.every((t) => t(value));
  } else {
    return null;
  }
  const matches = test;
  return (doc) => {
    const value = resolvePath(doc, path);
    if (value === ARRAY) return Verdict.Undecided;
    return matches(value) ? Verdict.Yes : Verdict.No;
  };
}

function allOf(predicates: readonly FastPredicate[]): FastPredicate {
  if (predicates.length === 1) return predicates[0];
  return (doc) => {
    let verdict = Verdict.Yes;
    for (const predicate of predicates) {
      const result = predicate(doc);
      if (result === Verdict.No) return Verdict.No;
      if (result === Verdict.Undecided) verdict = Verdict.Undecided;
    }
    return verdict;
  };
}

function anyOf(predicates: readonly FastPredicate[]): FastPredicate {
  return (doc) => {
    let verdict = Verdict.No;
    for (const predicate of predicates) {
      const result = predicate(doc);
      if (result === Verdict.Yes) return Verdict.Yes;
      if (result === Verdict.Undecided) verdict = Verdict.Undecided;
    }
    return verdict;
  };
}

function clauses(list: unknown): FastPredicate[] | null {
  if (!Array.isArray(list) || list.length === 0) return null;
  const compiled = list.map((item) => (item !== null && typeof item === 'object' && !Array.isArray(item) ? compileFastFilter(item as Filter) : null));
  return compiled.every((predicate) => predicate !== null) ? (compiled as FastPredicate[]) : null;
}

/** Compiles a filter to a fast predicate, or null when it uses something only mingo handles. */
export function compileFastFilter(filter: Filter): FastPredicate | null {
  const predicates: FastPredicate[] = [];
  for (const [field, condition] of Object.entries(filter)) {
    let predicate: FastPredicate | null;
    if (field === '$and' || field === '$or') {
      const compiled = clauses(condition);
      predicate = compiled && (field === '$and' ? allOf(compiled) : anyOf(compiled));
    } else {
      predicate = fieldPredicate(field, condition);
    }
    if (!predicate) return null;
    predicates.push(predicate);
  }
  return predicates.length === 0 ? () => Verdict.Yes : allOf(predicates);
}
