import type { Decider } from './decider';
import type { EventMetadata } from './event-envelope';
import { WrongExpectedRevisionError } from './event-store.errors';
import type { EventStore, ExpectedRevision } from './event-store.port';
import { toNewEvents, type DecidedEvent } from './new-events';

export interface LoadedState<S> {
  readonly state: S;
  /** Expected revision for the next append: the last event's revision, or 'no_stream'. */
  readonly revision: ExpectedRevision;
}

export interface DecisionResult<E> {
  readonly events: readonly E[];
  /** Global position of the last appended event; null when the decision produced no event. */
  readonly position: number | null;
}

interface CachedState {
  readonly state: unknown;
  readonly revision: number;
}

/** Folded states by store, decider and stream, so a load reads only the events appended since (streams only grow). */
const stateCaches = new WeakMap<EventStore, WeakMap<object, Map<string, CachedState>>>();
const MAX_CACHED_STREAMS = 20_000;

function cacheFor(store: EventStore, decider: object): Map<string, CachedState> {
  let byDecider = stateCaches.get(store);
  if (!byDecider) stateCaches.set(store, (byDecider = new WeakMap()));
  let cache = byDecider.get(decider);
  if (!cache) byDecider.set(decider, (cache = new Map()));
  return cache;
}

function remember(cache: Map<string, CachedState>, stream: string, entry: CachedState): void {
  cache.delete(stream);
  cache.set(stream, entry);
  // Maps iterate in insertion order: the first key is the least recently stored.
  if (cache.size > MAX_CACHED_STREAMS) cache.delete(cache.keys().next().value as string);
}

/**
 * Loads a stream's state by folding its events through the decider's evolve, starting from the state folded last
 * time (re-reading a directory stream of 10,000 reservations for every create made creates quadratic).
 * The cache is per store and decider; a stream's events never change, so a cached fold stays true.
 */
export async function loadState<C, S, E>(store: EventStore, stream: string, decider: Decider<C, S, E>): Promise<LoadedState<S>> {
  const cache = cacheFor(store, decider);
  const cached = cache.get(stream);
  const recorded = await store.readStream(stream, cached ? { fromRevision: cached.revision + 1 } : {});
  const from = cached ? (cached.state as S) : decider.initialState();
  const state = recorded.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as E), from);
  const last = recorded.at(-1);
  const revision = last ? last.revision : (cached?.revision ?? null);
  if (revision === null) return { state, revision: 'no_stream' };
  if (last) remember(cache, stream, { state, revision });
  return { state, revision };
}

export interface DecideOptions {
  /** Attempts on WrongExpectedRevisionError; each re-reads the stream and decides again. */
  readonly attempts?: number;
}

/**
 * Load, decide, append with the loaded revision; on a concurrent append, decide again on fresh state.
 * `command` is a function of the state so a retry can recompute facts that depend on it.
 */
export async function decideOnStream<C, S, E extends DecidedEvent>(
  store: EventStore,
  stream: string,
  decider: Decider<C, S, E>,
  command: (state: S) => C | Promise<C>,
  metadata: EventMetadata,
  options: DecideOptions = {},
): Promise<DecisionResult<E> & { readonly state: S }> {
  const attempts = options.attempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    const { state, revision } = await loadState(store, stream, decider);
    const events = decider.decide(await command(state), state);
    if (events.length === 0) return { events, position: null, state };
    try {
      const result = await store.append(stream, toNewEvents(events, metadata), revision);
      const next = events.reduce(decider.evolve, state);
      remember(cacheFor(store, decider), stream, { state: next, revision: result.nextExpectedRevision });
      return { events, position: result.position, state: next };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}
