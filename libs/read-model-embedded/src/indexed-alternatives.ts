import { conjunctsOf, type Filter } from '@as2-partners/kernel';

/**
 * A filter whose conjunction holds an `$or` of plain equalities on one indexed field, such as a tenant's own documents
 * and the account's shared ones (`{ account, $or: [{ tenant }, { tenant: null }] }`), as one filter a value, or null
 * for any other filter. SQLite walks an index range for each of them, where the `$or` leaves it the range of the
 * fields before it: every tenant's documents of the account, each judged in turn. The values are distinct scalars
 * (null matches a missing field, as in MongoDB), so the filters match disjoint sets whose union is the filter's.
 */
export function alternativesOf(filter: Filter, isIndexed: (field: string) => boolean): Filter[] | null {
  const clauses = conjunctsOf(filter);
  const at = clauses.findIndex((clause) => equalitiesOf(clause, isIndexed) !== null);
  if (at < 0) return null;
  const { field, values } = equalitiesOf(clauses[at], isIndexed) as Equalities;
  const others = clauses.filter((_, i) => i !== at);
  return values.map((value) => ({ $and: [...others, { [field]: value }] }));
}

interface Equalities {
  readonly field: string;
  readonly values: readonly (string | number | null)[];
}

const isPlainScalar = (value: unknown): value is string | number | null => value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));

/** `{ $or: [{ f: a }, { f: b }, ...] }` on one indexed field `f` with scalar values, its values made distinct; else null. */
function equalitiesOf(clause: Filter, isIndexed: (field: string) => boolean): Equalities | null {
  const branches = clause.$or;
  if (Object.keys(clause).length !== 1 || !Array.isArray(branches) || branches.length < 2) return null;
  let field: string | null = null;
  const values = new Map<string, string | number | null>();
  for (const branch of branches as unknown[]) {
    if (branch === null || typeof branch !== 'object' || Array.isArray(branch)) return null;
    const entries = Object.entries(branch);
    if (entries.length !== 1) return null;
    const [name, value] = entries[0];
    if (name.startsWith('$') || (field !== null && name !== field) || !isPlainScalar(value)) return null;
    field = name;
    values.set(`${typeof value}:${String(value)}`, value);
  }
  return field !== null && isIndexed(field) && values.size > 1 ? { field, values: [...values.values()] } : null;
}
