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
  private asked = false;
  /** Resolves when a reader asks for the refill running now, or when it ends; null until someone waits for that. */
  private askedSignal: { readonly promise: Promise<void>; readonly resolve: () => void } | null = null;

  /** The positions as last handed out: a new object only after a change, so a decision allocates none. */
  private snapshot: Readonly<Record<string, number | null>> = Object.freeze({ ...this.positions });

  /** False while a refill runs: read `whenFilled()` first. */
  get filled(): boolean {
    return this.unfilled === 0;
  }

  /** Resolves once every refill begun so far has ended (at once when none runs). */
  whenFilled(): Promise<void> {
    if (this.unfilled > 0 && !this.asked) {
      this.asked = true;
      this.signalAsked();
    }
    return this.fill;
  }

  /** Resolves when a reader begins to wait for the refill running now (at once if one already does). */
  whenAwaited(): Promise<void> {
    if (this.asked) return Promise.resolve();
    if (!this.askedSignal) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((resolved) => (resolve = resolved));
      this.askedSignal = { promise, resolve };
    }
    return this.askedSignal.promise;
  }

  private signalAsked(): void {
    this.askedSignal?.resolve();
    this.askedSignal = null;
  }

  /** True once a reader has waited for the refill running now: the refill then takes the process, giving way to no request. */
  get awaited(): boolean {
    return this.asked;
  }

  /** Marks the directory unfilled until `refill` settles (it never rejects: a refill retries until it is done). */
  filling(refill: Promise<void>): void {
    this.unfilled += 1;
    const done = refill.finally(() => {
      this.unfilled -= 1;
      if (this.unfilled === 0) {
        this.asked = false;
        // nobody asked before the end: the turns racing their wait against it are over anyway
        this.signalAsked();
      }
    });
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
