import { Logger } from '@nestjs/common';
import { loggableUrl } from '../logging/loggable-url';

const logger = new Logger('JwtAuthGuard');

/**
 * Why a request got 401, for whoever investigates it: the reason and the request's ids, never the token. Every route
 * that answers 401 says why, the guards' and the hot paths' alike (README: the reason of a 401 is logged).
 */
export function logRefusedToken(reason: string, ids: { readonly correlationId: string; readonly requestId: string }, method: string | undefined, url: string | undefined): void {
  // The request's ids named here: a route answered outside Nest (the hot paths) has no log context to add them.
  logger.log({ msg: `401 Unauthorized: ${reason}`, reason, correlationId: ids.correlationId, requestId: ids.requestId, method, url: url === undefined ? undefined : loggableUrl(url) });
}
