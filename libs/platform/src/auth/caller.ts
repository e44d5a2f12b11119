/**
 * `operator`: runs the platform (parked events), sees no tenant route. `gateway`: an AS2 gateway or a service acting
 * for one (gateway-facing and internal routes only: traffic decisions, message events, key operations), for one
 * account or every account (`account: "*"`), never a tenant route.
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
  /** W3C trace context of this request's span, carried into the metadata of the events it produces. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /**
   * Set when the request carries an Idempotency-Key: the write model's `commandId` for the request's create, so a
   * retry after a lost answer finds the events the first attempt stored and answers them.
   */
  readonly commandId?: string;
}
