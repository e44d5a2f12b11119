import { DomainError } from '@as2-partners/kernel';
import type { RequestContext } from '@as2-partners/platform';

/** Account routes act only on the caller's own account. */
export function requireOwnAccount(ctx: RequestContext, account: string): string {
  if (ctx.caller.account !== account) throw new DomainError('ACCOUNT_FORBIDDEN', 'You may only manage your own account');
  return account;
}
