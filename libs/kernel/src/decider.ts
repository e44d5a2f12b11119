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
}

export function foldEvents<State, Event>(decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>, events: readonly Event[]): State {
  return events.reduce(decider.evolve, decider.initialState());
}
