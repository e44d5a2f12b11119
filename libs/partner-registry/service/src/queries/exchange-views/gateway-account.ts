import { DomainError } from '@as2-partners/kernel';
import type { RequestContext } from '@as2-partners/platform';

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
