/**
 * A command route's answer, built once the writes at `position` are visible: the service's views have them and, in
 * embedded mode, other services' consumers too. Returned from a route marked `@ReadYourWrites()`, which does the wait.
 */
export class AfterWrite<T> {
  constructor(
    /** Global position of the command's last event; null when it appended nothing (nothing to wait for). */
    readonly position: number | null,
    readonly answer: () => T | Promise<T>,
    /**
     * The answer from the write model's decided state, for when the views are late (a store down, a stalled
     * projection): the write is stored, so the route answers 202 with this rather than fail. Omitted where
     * `answer` reads no view.
     */
    readonly decided?: () => T | Promise<T>,
  ) {}

  /** The same wait, answering `then(answer)`: how a route presents what its handler answers. */
  map<U>(then: (value: T) => U | Promise<U>): AfterWrite<U> {
    const decided = this.decided;
    return new AfterWrite(this.position, async () => then(await this.answer()), decided ? async () => then(await decided()) : undefined);
  }

  /** Serialized only when a route forgot `@ReadYourWrites()`: a bug, never a response. */
  toJSON(): never {
    throw new Error('AfterWrite returned from a route without @ReadYourWrites()');
  }
}

/** The position to wait for after several appends, null ones ignored. */
export function lastPositionOf(...positions: readonly (number | null)[]): number | null {
  const known = positions.filter((p): p is number => p !== null);
  return known.length === 0 ? null : Math.max(...known);
}
