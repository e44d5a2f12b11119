import type { FollowerLogger } from '@as2-partners/kernel';
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';

/** kafkajs's warnings and errors through the service's logger (one JSON line format), its fields kept as fields. */
export function kafkaLogCreator(logger: FollowerLogger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _kafkaLogger, ...context } = log as LogEntry['log'] & { logger?: unknown };
      if (level === logLevel.ERROR) logger.error(`kafkajs: ${message}`, { namespace, ...context });
      else if (level === logLevel.WARN) logger.warn(`kafkajs: ${message}`, { namespace, ...context });
    };
}
