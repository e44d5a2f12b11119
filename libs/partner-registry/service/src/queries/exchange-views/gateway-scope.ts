import { DomainError } from '@as2-partners/kernel';
import { requireTenant, type RequestContext } from '@as2-partners/platform';

/** A gateway token of every account names the account; any other token acts on its own. */
const EVERY_ACCOUNT = '*';

/** The account a gateway's question is about: its token's, or the one a token of every account names (`?account=`). */
export function accountOfGatewayOrCaller(ctx: RequestContext, named: string | undefined): string {
  const own = ctx.caller.account;
  if (own === EVERY_ACCOUNT) {
    if (named === undefined || named === EVERY_ACCOUNT) throw new DomainError('ACCOUNT_REQUIRED', 'A gateway token of every account must name the account (?account=)');
    return named;
  }
  if (named !== undefined && named !== own) throw new DomainError('ACCOUNT_FORBIDDEN', 'The token is for another account');
  return own;
}

/** A tenant's token answers for its tenant; a gateway token without one names the tenant in the query. */
export function tenantOfGatewayOrCaller(ctx: RequestContext, named: string | undefined): string {
  const own = ctx.caller.tenant;
  if (own !== null) {
    if (named !== undefined && named !== own) throw new DomainError('TENANT_FORBIDDEN', 'A tenant token may only name its own tenant');
    return own;
  }
  if (!ctx.caller.roles.includes('gateway')) return requireTenant(ctx);
  if (named === undefined) throw new DomainError('TENANT_REQUIRED', 'A gateway token without a tenant claim must name the tenant (?tenant=)');
  return named;
}

/** The 403s a gateway route answers for the account and tenant it is told to act for (OpenAPI). */
export const GATEWAY_SCOPE_FORBIDDEN =
  "ACCOUNT_REQUIRED: a gateway token of every account names none; ACCOUNT_FORBIDDEN, TENANT_FORBIDDEN: another account or tenant than the token's; TENANT_DELETED: the tenant named was deleted";
