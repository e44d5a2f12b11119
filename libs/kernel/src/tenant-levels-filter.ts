import type { Filter } from './read-model-store.port';

/**
 * The filter clause for documents of these levels of an account (a tenant's, null: the account's): one level an
 * equality, several an `$or` of equalities, each of which the embedded store reads as one index range (a one-item `$or`
 * it does not split into one).
 */
export function tenantLevelsFilter(levels: readonly (string | null)[]): Filter {
  return levels.length === 1 ? { tenant: levels[0] } : { $or: levels.map((tenant) => ({ tenant })) };
}
