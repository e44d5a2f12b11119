/**
 * A write model as two pure functions (the "decider" pattern): `decide` turns a command and the current
 * state into new events (or throws a DomainError), `evolve` folds an event into state. Neither reads the
 * clock nor any outside fact: those arrive inside the command.
 */
export interface Decider<Command, State, Event> {
  readonly initialState: () => State;
  readonly decide: (command: Command, state: State) => Event[];
  readonly evolve: (state: State, event: Event) => State;
}

export function foldEvents<State, Event>(decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>, events: readonly Event[]): State {
  return events.reduce(decider.evolve, decider.initialState());
}
