/**
 * The turns of the event loop while a spec's work runs (a chain of setImmediate, one a turn), so the spec can tell how
 * much of that work one turn held: `record(amount)` adds to the current turn's sum, `mostInOneTurn` is the largest.
 */
export class TurnsOfLoop {
  private turn = 0;
  private counting = true;
  private readonly recorded = new Map<number, number>();

  constructor() {
    this.next();
  }

  /** Work done in the current turn (a deletion's rows, a read). */
  record(amount = 1): void {
    this.recorded.set(this.turn, (this.recorded.get(this.turn) ?? 0) + amount);
  }

  /** Everything recorded, whatever the turn. */
  get total(): number {
    return [...this.recorded.values()].reduce((sum, amount) => sum + amount, 0);
  }

  /** The largest sum recorded in one turn (0 with nothing recorded). */
  get mostInOneTurn(): number {
    return Math.max(0, ...this.recorded.values());
  }

  /** Ends the chain of turns (a spec's afterEach). */
  stop(): void {
    this.counting = false;
  }

  private readonly next = (): void => {
    this.turn += 1;
    if (this.counting) setImmediate(this.next);
  };
}
