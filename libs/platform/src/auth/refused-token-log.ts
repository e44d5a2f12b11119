import { Logger } from '@nestjs/common';
import { loggableUrl } from '../logging/loggable-url';
import { requestIdsOf, type RequestWithIds } from '../http/request-ids';

const logger = new Logger('JwtAuthGuard');
const rolesLogger = new Logger('RolesGuard');

/**
 * Why a request got 401, for whoever investigates it: the reason and the request's ids, never the token. Every route
 * that answers 401 says why, the guards' and the hot paths' alike (README: the reason of a 401 is logged).
 */
export function logRefusedToken(reason: string, ids: { readonly correlationId: string; readonly requestId: string }, method: string | undefined, url: string | undefined): void {
  // The request's ids named here: a route answered outside Nest (the hot paths) has no log context to add them.
  logger.log({ msg: `401 Unauthorized: ${reason}`, reason, correlationId: ids.correlationId, requestId: ids.requestId, method, url: url === undefined ? undefined : loggableUrl(url) });
}

/**
 * Why a route answered outside Nest (the hot paths, which log no line per request) refused a verified caller 403: the
 * reason, the caller's account and tenant and the request's ids, so a refused gateway or a deleted tenant's token is
 * found in the logs as a Nest route's 403 is in its request line.
 */
export function logRefusedCaller(reason: string, caller: { readonly account: string; readonly tenant: string | null }, request: RequestWithIds & { readonly method?: string; readonly url?: string }): void {
  const { correlationId, requestId } = requestIdsOf(request);
  rolesLogger.log({ msg: `403 Forbidden: ${reason}`, reason, account: caller.account, tenant: caller.tenant, correlationId, requestId, method: request.method, url: request.url === undefined ? undefined : loggableUrl(request.url) });
}
