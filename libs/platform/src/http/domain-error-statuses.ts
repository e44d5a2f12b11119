/** HTTP status for each DomainError code; services register theirs when their module loads. */
const statuses = new Map<string, number>();

/** Status used for a code nobody registered: a rule the request broke, so never a 500. */
export const UNREGISTERED_DOMAIN_ERROR_STATUS = 422;

export function registerDomainErrorStatuses(map: Readonly<Record<string, number>>): void {
  for (const [code, status] of Object.entries(map)) {
    // A domain error is the caller's problem (4xx), or a named outside dependency that is down (502/503).
    if (!Number.isInteger(status) || ((status < 400 || status > 499) && status !== 502 && status !== 503)) {
      throw new Error(`DomainError ${code}: status must be a 4xx code, 502 or 503, got ${status}`);
    }
    const existing = statuses.get(code);
    if (existing !== undefined && existing !== status) {
      throw new Error(`DomainError ${code} is registered with status ${existing} and ${status}`);
    }
    statuses.set(code, status);
  }
}

export function domainErrorStatusOf(code: string): number | undefined {
  return statuses.get(code);
}

/**
 * The codes the platform's own guards and scope checks raise, registered here so no service can leave one out (a
 * service that did answered its deleted tenants 422 instead of 403).
 */
registerDomainErrorStatuses({ TENANT_DELETED: 403, TENANT_REQUIRED: 403, ACCOUNT_FORBIDDEN: 403 });
