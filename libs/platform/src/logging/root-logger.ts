import pino, { type DestinationStream, type Logger } from 'pino';
import { currentLogContext } from '@as2-partners/kernel';
import type { LogLevel } from '../config/platform-config';

/** Values never written to a log line, wherever they appear in a logged object (headers, bodies, contexts). */
export const REDACTED_PATHS = [
  'authorization',
  'password',
  'token',
  'secret',
  'privateKey',
  '*.authorization',
  '*.password',
  '*.token',
  '*.secret',
  '*.privateKey',
  '*.*.authorization',
  '*.*.password',
  '*.*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

export interface RootLoggerOptions {
  readonly level: LogLevel;
  /** Names the deployable in every line (`service`). */
  readonly service: string;
  /** Default stdout; tests pass a stream to read the lines. */
  readonly destination?: DestinationStream;
}

/** The current log context, less what the writing logger already binds (Fastify's request logger binds `requestId`). */
function logContextFields(logger: Logger): Record<string, unknown> {
  const context = currentLogContext();
  if (!context) return {};
  const bound = logger.bindings();
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) if (value !== undefined && !(key in bound)) fields[key] = value;
  return fields;
}

/**
 * The one logger of a process: JSON lines with `level` as a word, ISO `time`, `service`, and the message in `msg`.
 * Nest, Fastify and kafkajs all write through it.
 */
export function createRootLogger(options: RootLoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // The request or consumed event a line is written for (its ids, tenant, user), wherever the line comes from.
      mixin: (_line, _level, logger) => logContextFields(logger),
    },
    options.destination ?? logDestination(),
  );
}

/** The most unwritten log a process holds while its output takes none (a full disk); what comes past it is dropped. */
export const UNWRITTEN_LOG_LIMIT_BYTES = 1024 * 1024;

/**
 * The log's output (standard output by default), written synchronously: the last lines (shutdown, a fatal error) are
 * out before the process exits. A write the output refuses (its disk full: ENOSPC, EFBIG) never throws into the code
 * that logs, where it would replace the answer being given (a 503 STORE_UNAVAILABLE, a failing health check) with a
 * framework 500, or stop a start: the lines wait for the output to take them again, up to UNWRITTEN_LOG_LIMIT_BYTES,
 * and later ones are dropped.
 */
export function logDestination(fd = 1): DestinationStream {
  const output = pino.destination({ dest: fd, sync: true, maxLength: UNWRITTEN_LOG_LIMIT_BYTES });
  // With a listener, the stream's error is no exception; nothing else to do: the log is where it would be told.
  output.on('error', () => undefined);
  return output;
}
