import {
  type Decider,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  WrongExpectedRevisionError,
} from '@as2-partners/kernel';
import type { PartnerRegistryEvent } from '@as2-partners/partner-registry-domain';
import { toNewEvents } from './event-envelopes';

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

/** Loads a stream's state by folding its events through the decider's evolve. */
export async function loadState<C, S, E>(store: EventStore, stream: string, decider: Decider<C, S, E>): Promise<LoadedState<S>> {
  const recorded = await store.readStream(stream);
  const state = recorded.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as E), decider.initialState());
  const last = recorded.at(-1);
  return { state, revision: last ? last.revision : 'no_stream' };
}

export interface DecideOptions {
  /** Attempts on WrongExpectedRevisionError; each re-reads the stream and decides again. */
  readonly attempts?: number;
}

/**
 * Load, decide, append with the loaded revision; on a concurrent append, decide again on fresh state.
 * `command` is a function of the state so a retry can recompute facts that depend on it.
 */
export async function decideOnStream<C, S, E extends PartnerRegistryEvent>(
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
      return { events, position: result.position, state: events.reduce(decider.evolve, state) };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}
