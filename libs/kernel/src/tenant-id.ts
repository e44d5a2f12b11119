/**
 * Stands for "no tenant" (the account itself) in the ids and stream names of account-level records, e.g.
 * `certificate_directory-<account>._account`: a tenant of that id would share them, so no tenant has it.
 */
export const ACCOUNT_LEVEL_TENANT = '_account';

/**
 * How a tenant's id is spelled: what an account registers, what a token's `tenant` claim carries and what a gateway
 * names as a message's tenant. No dot, so `<account>.<tenant>` in an id or stream name splits one way only; never the
 * account-level stand-in.
 */
export const TENANT_ID_PATTERN = /^(?!_account$)[A-Za-z0-9_-]{1,64}$/;

/** A tenant id that names one tenant only (TENANT_ID_PATTERN). */
export function isTenantId(value: string): boolean {
  return TENANT_ID_PATTERN.test(value);
}

/** What a field of a tenant id that does not match TENANT_ID_PATTERN is told. */
export const TENANT_ID_MESSAGE = 'The tenant must be a tenant id: 1-64 letters, digits, hyphens or underscores';
