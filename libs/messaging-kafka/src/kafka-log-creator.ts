import { withoutLogContext, type FollowerLogger } from '@as2-partners/kernel';
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
// kafkajs publishes its protocol error table only from its sources (no typings): the codes it retries by itself.
const { errorCodes } = require('kafkajs/src/protocol/error') as { errorCodes: { message: string; retriable: boolean }[] };

/** Messages of the broker errors kafkajs retries itself (a leader moving, a coordinator loading): not ours to alarm on. */
const RETRIED_BY_KAFKAJS = new Set(errorCodes.filter((code) => code.retriable).map((code) => code.message));
/** A consumer's crash and restart: the bus's CRASH listener logs it, as an error when kafkajs gives up or it repeats. */
const CONSUMER_CRASH = /^(Crash: |Restarting the consumer in )/;
/**
 * A CreateTopics answer with a per-topic error: the bus asks only for topics it did not see, takes the answer "it exists
 * already" (another process created it meanwhile) and throws any other, which its caller logs. Nothing to say here.
 */
const TOPIC_CREATION_ERRORS = 'Topic creation errors';

/**
 * kafkajs's warnings and errors through the service's logger (one JSON line format), its fields kept as fields. A
 * response error kafkajs retries by itself (a broker just started: "not the leader for that topic-partition") is a
 * warning; if the retries run out, the caller's own error says so. So is a consumer crash kafkajs restarts from.
 */
export function kafkaLogCreator(logger: FollowerLogger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _kafkaLogger, ...context } = log as LogEntry['log'] & { logger?: unknown };
      // The broker's error is the entry's `error` field, or the end of its message ("Failed to send messages: …").
      const reason = typeof context['error'] === 'string' ? context['error'] : String(message).slice(String(message).indexOf(': ') + 2);
      if (reason === TOPIC_CREATION_ERRORS) return;
      const judgedByTheCaller = RETRIED_BY_KAFKAJS.has(reason) || CONSUMER_CRASH.test(String(message));
      // kafkajs's protocol correlation id is a number of its own, not the log's correlation id.
      const { correlationId, ...fields } = context as Record<string, unknown>;
      const entry = { namespace, ...fields, ...(correlationId === undefined ? {} : { kafkaCorrelationId: correlationId }) };
      // Its connections began inside whatever request first needed them: its lines carry no request's ids.
      withoutLogContext(() => {
        if (level === logLevel.ERROR && !judgedByTheCaller) logger.error(`kafkajs: ${message}`, entry);
        else if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn(`kafkajs: ${message}`, entry);
      });
    };
}
