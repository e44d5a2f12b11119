import { Logger } from '@nestjs/common';
import { loggableUrl } from '../logging/loggable-url';

const logger = new Logger('JwtAuthGuard');

/**
 * Why a request got 401, for whoever investigates it: the reason and the request's ids, never the token. Every route
 * that answers 401 says why, the guards' and the hot paths' alike (README: the reason of a 401 is logged).
 */
export function logRefusedToken(reason: string, correlationId: string, method: string | undefined, url: string | undefined): void {
  logger.log({ msg: `401 Unauthorized: ${reason}`, reason, correlationId, method, url: url === undefined ? undefined : loggableUrl(url) });
}
