import { DomainError } from '@as2-partners/kernel';
import type { RequestContext } from './caller';

/** The caller's tenant; callers without one (account-level tokens) cannot act on a tenant's data. */
export function requireTenant(ctx: RequestContext): string {
  if (ctx.caller.tenant === null) {
    throw new DomainError('TENANT_REQUIRED', 'This route acts on a tenant: use a token with a tenant claim');
  }
  return ctx.caller.tenant;
}

/** Account routes act only on the caller's own account. */
export function requireOwnAccount(ctx: RequestContext, account: string): string {
  if (ctx.caller.account !== account) throw new DomainError('ACCOUNT_FORBIDDEN', 'You may only manage your own account');
  return account;
}
