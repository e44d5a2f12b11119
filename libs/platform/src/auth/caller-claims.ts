import { ACCOUNT_ID_MESSAGE, ACCOUNT_ID_PATTERN, isTenantId } from '@as2-partners/kernel';
import { ROLES, type Caller, type Role } from './caller';

/** Why a verified token still does not make a caller (logged at debug, never returned to the client). */
export class InvalidCallerClaimsError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidCallerClaimsError';
  }
}

const EVERY_ACCOUNT = '*';
const ACCOUNT_SCOPED_ROLES: readonly Role[] = ['account_admin', 'tenant_admin', 'tenant_user'];
/** The roles that act within one tenant, the token's. */
const TENANT_ROLES: readonly Role[] = ['tenant_admin', 'tenant_user'];

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function isRole(value: unknown): value is Role {
  return ROLES.some((role) => role === value);
}

/**
 * Turns verified JWT claims into a Caller: `sub` and `account` required, `roles` a non-empty subset of ROLES,
 * `tenant` (a tenant id, as an account registers one) required unless the caller is an account admin, an operator or a gateway.
 */
export function callerFromClaims(claims: Readonly<Record<string, unknown>>): Caller {
  const { sub, account, tenant, roles } = claims;
  if (!nonEmptyString(sub)) throw new InvalidCallerClaimsError('claim sub is missing or empty');
  if (!nonEmptyString(account)) throw new InvalidCallerClaimsError('claim account is missing or empty');
  // The account heads ids and keys joined with `|`, `/` or `.` after it (a message record is `<account>|<tenant>|<message
  // id>`): one that holds a separator, an escape or a blank could spell another account's tenant's key.
  if (!ACCOUNT_ID_PATTERN.test(account)) {
    throw new InvalidCallerClaimsError(`claim account: ${ACCOUNT_ID_MESSAGE}`);
  }
  if (tenant !== undefined && tenant !== null && !nonEmptyString(tenant)) {
    throw new InvalidCallerClaimsError('claim tenant must be a non-empty string when present');
  }
  // A tenant id as an account registers one: `<account>.<tenant>` in stream names and ids then names one pair only
  // (account "a.b" with tenant "c" and account "a" with tenant "b.c" would share a partner directory and a plan).
  if (nonEmptyString(tenant) && !isTenantId(tenant)) {
    throw new InvalidCallerClaimsError('claim tenant must be 1-64 letters, digits, hyphens or underscores, and not "_account"');
  }
  if (!Array.isArray(roles) || roles.length === 0) throw new InvalidCallerClaimsError('claim roles must be a non-empty array');
  const unknown = roles.filter((role) => !isRole(role));
  if (unknown.length > 0) throw new InvalidCallerClaimsError(`claim roles holds unknown roles: ${unknown.map(String).join(', ')}`);
  const callerTenant = nonEmptyString(tenant) ? tenant : null;
  // A tenant's roles are nothing without the tenant: beside account_admin, operator or gateway in a token without one they
  // are dropped, so no route reads "no tenant" as the account's scope for a caller that is not the account's admin.
  const claimedRoles = [...new Set(roles as Role[])];
  const callerRoles = claimedRoles.filter((role) => callerTenant !== null || !TENANT_ROLES.includes(role));
  if (callerRoles.length === 0) {
    throw new InvalidCallerClaimsError('claim tenant is required unless the caller is an account_admin, an operator or a gateway');
  }
  // `*` means every account to the gateway routes; as a user's account it would be one more account, shared by all such tokens.
  if (account === EVERY_ACCOUNT && claimedRoles.some((role) => ACCOUNT_SCOPED_ROLES.includes(role))) {
    throw new InvalidCallerClaimsError('claim account "*" (every account) is for gateway tokens, not for account_admin, tenant_admin or tenant_user');
  }
  return { sub, account, tenant: callerTenant, roles: callerRoles };
}
