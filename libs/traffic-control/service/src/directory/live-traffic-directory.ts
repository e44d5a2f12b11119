import { TrafficDirectory } from '@as2-partners/traffic-control-domain';

/**
 * The process's one in-memory directory the decision API answers from, with the last event position applied from
 * each source (the decision's `as_of`, so a gateway sees how stale an answer may be). A restart refills it after the
 * process is ready (RegistryFactsConsumer): until then `filled` is false and everything that reads it waits for
 * `whenFilled()`, so no answer comes from a half-filled directory.
 */
export class LiveTrafficDirectory {
  readonly directory = new TrafficDirectory();
  private readonly positions: Record<string, number | null> = { 'partner-registry': null, 'traffic-control': null };
  private fill: Promise<void> = Promise.resolve();
  private unfilled = 0;

  /** The positions as last handed out: a new object only after a change, so a decision allocates none. */
  private snapshot: Readonly<Record<string, number | null>> = Object.freeze({ ...this.positions });

  /** False while a refill runs: read `whenFilled()` first. */
  get filled(): boolean {
    return this.unfilled === 0;
  }

  /** Resolves once every refill begun so far has ended (at once when none runs). */
  whenFilled(): Promise<void> {
    return this.fill;
  }

  /** Marks the directory unfilled until `refill` settles (it never rejects: a refill retries until it is done). */
  filling(refill: Promise<void>): void {
    this.unfilled += 1;
    const done = refill.finally(() => void (this.unfilled -= 1));
    const before = this.fill;
    this.fill = Promise.all([before, done]).then(() => undefined);
  }

  applied(source: 'partner-registry' | 'traffic-control', position: number): void {
    const current = this.positions[source];
    if (current === null || position > current) {
      this.positions[source] = position;
      this.snapshot = Object.freeze({ ...this.positions });
    }
  }

  asOf(): Readonly<Record<string, number | null>> {
    return this.snapshot;
  }
}
