/**
 * A write model as two pure functions (the "decider" pattern): `decide` turns a command and the current
 * state into new events (or throws a DomainError), `evolve` folds an event into state. Neither reads the
 * clock nor any outside fact: those arrive inside the command.
 */
export interface Decider<Command, State, Event> {
  readonly initialState: () => State;
  readonly decide: (command: Command, state: State) => Event[];
  readonly evolve: (state: State, event: Event) => State;
  /** For long streams: how the folded state is saved, so a load starts from it instead of from the first event. */
  readonly snapshot?: SnapshotCodec<State>;
}

/** The state as JSON and back; `name` changes whenever the state or its JSON shape does, so an old snapshot is not read. */
export interface SnapshotCodec<State> {
  readonly name: string;
  readonly toJson: (state: State) => unknown;
  readonly fromJson: (json: unknown) => State;
  /**
   * The same state as `fromJson`, built a slice at a time with `nextTurn()` awaited between slices, for states large
   * enough that building them in one turn would block the event loop (a 100,000-entry directory). Optional.
   */
  readonly restore?: (json: unknown, nextTurn: () => Promise<void>) => Promise<State>;
  /** How many entries the folded state holds (its share of the write model's cache budget); 1 when absent. */
  readonly weigh?: (state: State) => number;
  /**
   * The same JSON as `toJson`, built a slice at a time with `nextTurn()` awaited between slices (a snapshot save of a
   * 100,000-entry directory). Optional, for the same large states.
   */
  readonly toJsonInSlices?: (state: State, nextTurn: () => Promise<void>) => Promise<unknown>;
  /** The codec this one replaced: a stream with only its snapshot is restored from it (and snapshotted anew at once). */
  readonly previous?: SnapshotCodec<State>;
  /** Snapshot at least every this many events, whatever the stream's length (a codec whose save and restore are cheap). */
  readonly every?: number;
}

/** Entries a snapshot codec restores or serialises per turn of the event loop: ~1 ms of work for a directory. */
export const SNAPSHOT_SLICE = 1_000;

/** Runs `work` over [0, count) in slices of `slice` indexes (awaiting it when it returns a promise), awaiting `nextTurn` between two slices. */
export async function inSlices(count: number, slice: number, nextTurn: () => Promise<void>, work: (from: number, to: number) => unknown): Promise<void> {
  for (let from = 0; from < count; from += slice) {
    if (from > 0) await nextTurn();
    const done = work(from, Math.min(count, from + slice));
    if (done instanceof Promise) await done;
  }
}

/** Resolves on a later turn of the event loop (after the I/O already queued): what a slice of long work waits for. */
export function nextTurnOfLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function foldEvents<State, Event>(decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>, events: readonly Event[]): State {
  return events.reduce(decider.evolve, decider.initialState());
}
