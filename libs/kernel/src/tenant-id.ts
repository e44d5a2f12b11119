/** How a tenant's id is spelled: what an account registers and what a token's `tenant` claim carries. */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Stands for "no tenant" (the account itself) in the ids and stream names of account-level records, e.g.
 * `certificate_directory-<account>._account`: a tenant of that id would share them, so no tenant has it.
 */
export const ACCOUNT_LEVEL_TENANT = '_account';

/**
 * A tenant id that names one tenant only: the pattern (no dot, so `<account>.<tenant>` in an id or stream name splits
 * one way only) and not the account-level stand-in.
 */
export function isTenantId(value: string): boolean {
  return TENANT_ID_PATTERN.test(value) && value !== ACCOUNT_LEVEL_TENANT;
}

/** What a field of a tenant id that does not match TENANT_ID_PATTERN is told. */
export const TENANT_ID_MESSAGE = 'The tenant must be a tenant id: 1-64 letters, digits, hyphens or underscores';
