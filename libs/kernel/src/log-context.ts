import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields every log line written while some work runs carries: a request's ids and caller, or a consumed event's. */
export type LogContext = Record<string, string | number | null | undefined>;

const storage = new AsyncLocalStorage<LogContext>();

/**
 * Runs `work` with `context` as the log context of everything it starts (the process logger adds its fields to each
 * line). The object itself is kept, not copied, so `addToLogContext` later in the work reaches every line after it.
 */
export function withLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run(context, work);
}

/** Adds fields learnt midway (the caller, once its token is verified) to the current log context, if there is one. */
export function addToLogContext(fields: LogContext): void {
  const context = storage.getStore();
  if (context) Object.assign(context, fields);
}

export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/**
 * Runs `work` with no log context: for lines of a library whose own asynchronous work (a Kafka client's connections,
 * begun inside whatever request first needed them) would otherwise carry the ids of a request long answered.
 */
export function withoutLogContext<T>(work: () => T): T {
  return storage.exit(work);
}
