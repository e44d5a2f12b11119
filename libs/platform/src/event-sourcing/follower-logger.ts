import type { Logger } from '@nestjs/common';
import type { FollowerLogger } from '@as2-partners/kernel';

/** A kernel follower's (or scheduler's) logger written through a Nest logger: the context goes after the message as JSON. */
export function followerLoggerOf(logger: Logger): FollowerLogger {
  return {
    warn: (message, context) => logger.warn(`${message} ${JSON.stringify(context ?? {})}`),
    error: (message, context) => logger.error(`${message} ${JSON.stringify(context ?? {})}`),
  };
}
