import type { Logger } from '@nestjs/common';
import type { FollowerLogger } from '@as2-partners/kernel';

/**
 * A kernel follower's (or scheduler's, or kafkajs's) logger written through a Nest logger: the context's fields
 * (event, correlation id, account, tenant, user) become fields of the JSON line beside `msg`.
 */
export function followerLoggerOf(logger: Logger): FollowerLogger {
  return {
    warn: (message, context) => logger.warn({ ...context, msg: message }),
    error: (message, context) => logger.error({ ...context, msg: message }),
  };
}
