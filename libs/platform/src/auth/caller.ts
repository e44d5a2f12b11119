/**
 * `operator`: runs the platform (parked events), sees no tenant route. `gateway`: an AS2 gateway or a service acting
 * for one (gateway-facing and internal routes only), scoped to its account, with or without a tenant.
 */
export const ROLES = ['account_admin', 'tenant_admin', 'tenant_user', 'operator', 'gateway'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller, from the verified bearer JWT (claims sub, account, tenant, roles). */
export interface Caller {
  readonly sub: string;
  readonly account: string;
  /** null for an account-level caller without a tenant (an account admin acting on the account). */
  readonly tenant: string | null;
  readonly roles: readonly Role[];
}

/** What every request hands to a use case: who calls, and the ids that tie its events together. */
export interface RequestContext {
  readonly caller: Caller;
  /** From the `x-correlation-id` header, or generated at the edge. */
  readonly correlationId: string;
  /** The id of this request: the causation id of the events it produces. */
  readonly requestId: string;
}
