import { Logger } from '@nestjs/common';
import { loggableUrl } from '../logging/loggable-url';
import { requestIdsOf, type RequestWithIds } from '../http/request-ids';

const logger = new Logger('JwtAuthGuard');
const rolesLogger = new Logger('RolesGuard');

/**
 * Why a request got 401, for whoever investigates it: the reason and the request's ids, never the token. Every route
 * that answers 401 says why, the guards' and the hot paths' alike (README: the reason of a 401 is logged).
 */
export function logRefusedToken(reason: string, request: RefusedRequest): void {
  logger.log({ msg: `401 Unauthorized: ${reason}`, reason, ...whereRefused(request) });
}

/** The request a refusal line names: its method, URL and ids. */
type RefusedRequest = RequestWithIds & { readonly method?: string; readonly url?: string };

/** What a refusal line says of its request: the ids (a route answered outside Nest has no log context to add them), method and URL (secrets redacted). */
function whereRefused(request: RefusedRequest) {
  const { correlationId, requestId } = requestIdsOf(request);
  return { correlationId, requestId, method: request.method, url: request.url === undefined ? undefined : loggableUrl(request.url) };
}

/** The reason a refusal line gives for a verified token whose tenant was deleted. */
export const DELETED_TENANT_REFUSAL = 'the token names a deleted tenant';

/**
 * Why a verified caller was refused 403, by a Nest route on the request's arrival or by a hot path (which logs no line
 * per request): the reason, the caller's account and tenant and the request's ids, so a refused gateway or a deleted
 * tenant's token is found in the logs whichever route refused it.
 */
export function logRefusedCaller(reason: string, caller: { readonly account: string; readonly tenant: string | null }, request: RefusedRequest): void {
  rolesLogger.log({ msg: `403 Forbidden: ${reason}`, reason, account: caller.account, tenant: caller.tenant, ...whereRefused(request) });
}
