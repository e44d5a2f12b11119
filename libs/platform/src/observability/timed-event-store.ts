import { WrongExpectedRevisionError, type EventStore } from '@as2-partners/kernel';
import type { PlatformMetrics } from './platform-metrics';

type AppendOutcome = 'ok' | 'conflict' | 'error';

function outcomeOf(error: unknown): AppendOutcome {
  return error instanceof WrongExpectedRevisionError ? 'conflict' : 'error';
}

/**
 * The event store as is, with every append's latency observed (outcome ok, conflict or error): `append`, and
 * `appendCommitted` (what a write model uses for a directory's claim before the write it guards) until its events are
 * durable, so an append that fails on a full disk is counted whichever of the two made it.
 */
export function timedEventStore(store: EventStore, metrics: PlatformMetrics): EventStore {
  const append: EventStore['append'] = async (...args) => {
    const done = metrics.eventStoreAppend.startTimer();
    try {
      const result = await store.append(...args);
      done({ outcome: 'ok' });
      return result;
    } catch (error) {
      done({ outcome: outcomeOf(error) });
      throw error;
    }
  };
  const committed = store.appendCommitted?.bind(store);
  const appendCommitted: EventStore['appendCommitted'] = committed
    ? async (...args) => {
        const done = metrics.eventStoreAppend.startTimer();
        try {
          const result = await committed(...args);
          result.durable.then(
            () => done({ outcome: 'ok' }),
            () => done({ outcome: 'error' }),
          );
          return result;
        } catch (error) {
          done({ outcome: outcomeOf(error) });
          throw error;
        }
      }
    : undefined;
  // A proxy keeps the adapter's other methods (and its class, for instanceof) without listing them; each method bound
  // once, not at every call (a create reaches the store through here several times).
  // Keyed by the method itself: one the store replaces later is bound anew.
  const bound = new WeakMap<(...args: unknown[]) => unknown, unknown>();
  return new Proxy(store, {
    get(target, property) {
      if (property === 'append') return append;
      if (property === 'appendCommitted') return appendCommitted;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!bound.has(method)) bound.set(method, method.bind(target));
      return bound.get(method);
    },
  });
}
