import { TrafficDirectory, type PartnerFacts } from '@as2-partners/traffic-control-domain';

/**
 * Runs `then` on the directory once it holds the current facts of every partner with one of these AS2 ids (in the
 * account, or every account for ALL_ACCOUNTS), in the same turn as they were put; undefined when they cannot be
 * brought in ahead of the refill (the reader then waits for the whole of it).
 */
export type PartnersBroughtIn = <T>(account: string, as2Ids: readonly string[], then: () => T) => Promise<T | undefined>;

/** A refill that answers pairs before its end: once every fact but the partners is in, a pair's partners are brought in on demand. */
export interface PartnersFirstRefill {
  /** Resolves once the directory holds every instance, tenant, override, partnership and pause (only partners are still coming). */
  readonly othersIn: Promise<void>;
  readonly partnersOf: PartnersBroughtIn;
  /**
   * One partner's current facts read from its document, the directory left as it is (null: no such partner; undefined:
   * not to be had ahead of the refill).
   */
  readonly partnerById: (partnerId: string) => Promise<PartnerFacts | null | undefined>;
}

/**
 * The process's one in-memory directory the decision API answers from, with the last event position applied from
 * each source (the decision's `as_of`, so a gateway sees how stale an answer may be). A restart refills it after the
 * process is ready (RegistryFactsConsumer): until then `filled` is false and everything that reads it waits for
 * `whenFilled()`, so no answer comes from a half-filled directory, except a pair's decision once every fact but the
 * partners is in (`pairsAnswerable`): its partners are then brought in first (`withPartnersOf`); and one partner's
 * facts asked by id (`partner`, `isPartnerDeleted`), read from its document meanwhile.
 */
export class LiveTrafficDirectory {
  readonly directory = new TrafficDirectory();
  private readonly positions: Record<string, number | null> = { 'partner-registry': null, 'traffic-control': null };
  private fill: Promise<void> = Promise.resolve();
  private unfilled = 0;
  /** A reader waits for the whole refill running now. */
  private asked = false;
  /** A pair's decision waits for every fact but the partners (`whenPairsAnswerable`), not yet in. */
  private othersAsked = false;
  /** Resolves when a reader asks for the refill running now, or when it ends; null until someone waits for that. */
  private askedSignal: { readonly promise: Promise<void>; readonly resolve: () => void } | null = null;
  /** The running refill's way to answer pairs before its end (null: none, or no refill). */
  private partnersFirst: PartnersFirstRefill | null = null;
  private othersIn = false;

  /** The positions as last handed out: a new object only after a change, so a decision allocates none. */
  private snapshot: Readonly<Record<string, number | null>> = Object.freeze({ ...this.positions });

  /** False while a refill runs: read `whenFilled()` first. */
  get filled(): boolean {
    return this.unfilled === 0;
  }

  /** Resolves once every refill begun so far has ended (at once when none runs). */
  whenFilled(): Promise<void> {
    this.markAsked();
    return this.fill;
  }

  /** True when a pair can be decided now: the directory is filled, or holds every fact but the partners (see `withPartnersOf`). */
  get pairsAnswerable(): boolean {
    return this.unfilled === 0 || this.othersIn;
  }

  /**
   * Resolves once `pairsAnswerable`. A reader waiting here hurries the refill (begun at once, no way given to requests)
   * until the facts before the partners are in, not to its end: the partners' pages then give way to requests again.
   */
  whenPairsAnswerable(): Promise<void> {
    if (this.pairsAnswerable) return Promise.resolve();
    if (!this.partnersFirst) {
      this.markAsked();
      return this.fill;
    }
    // Only the other facts are hurried: once they are in, the partners' pages give way to requests again.
    if (!this.othersAsked) {
      this.othersAsked = true;
      this.signalAsked();
    }
    return Promise.race([this.partnersFirst.othersIn, this.fill]);
  }

  /**
   * Runs `then` on the directory holding the current facts of every partner with one of these AS2 ids: at once when it
   * is filled; while it is refilled (`pairsAnswerable` first), once the refill has brought them in. Undefined when they
   * cannot be brought in: wait for `whenFilled()`.
   */
  withPartnersOf<T>(account: string, as2Ids: readonly string[], then: () => T): Promise<T | undefined> {
    if (this.unfilled === 0) return Promise.resolve(then());
    if (!this.othersIn || !this.partnersFirst) return Promise.resolve(undefined);
    return this.partnersFirst.partnersOf(account, as2Ids, then);
  }

  /**
   * One partner's facts: from the directory once it is filled; while it is refilled, read from the partner's document
   * (the pages may not have reached it); after the refill when that cannot be had.
   */
  async partner(partnerId: string): Promise<PartnerFacts | undefined> {
    if (this.unfilled > 0 && this.partnersFirst) {
      const read = await this.partnersFirst.partnerById(partnerId);
      if (read !== undefined) return read ?? undefined;
    }
    if (this.unfilled > 0) await this.whenFilled();
    return this.directory.partner(partnerId);
  }

  /**
   * True once the registry deleted the partner (as `partner` finds it: while the directory is refilled, from the
   * partner's document). An unknown partner is not deleted.
   */
  async isPartnerDeleted(partnerId: string): Promise<boolean> {
    return (await this.partner(partnerId))?.deleted === true;
  }

  private markAsked(): void {
    if (this.unfilled > 0 && !this.asked) {
      this.asked = true;
      this.signalAsked();
    }
  }

  /** Resolves when a reader begins to wait for the refill running now (at once if one already does). */
  whenAwaited(): Promise<void> {
    if (this.awaited) return Promise.resolve();
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

  /**
   * True while a reader waits for the refill running now: the refill then takes the process, giving way to no request.
   * A pair's decision waits for the facts before the partners only: once they are in, it is not waiting any more.
   */
  get awaited(): boolean {
    return this.asked || (this.othersAsked && !this.othersIn);
  }

  /**
   * Marks the directory unfilled until `refill` settles (it never rejects: a refill retries until it is done). With
   * `partnersFirst`, pairs are answered from its `othersIn` on.
   */
  filling(refill: Promise<void>, partnersFirst?: PartnersFirstRefill): void {
    this.unfilled += 1;
    // One refill at a time answers pairs early; a second one running beside it would hold facts it does not know of.
    this.partnersFirst = this.unfilled === 1 && partnersFirst ? partnersFirst : null;
    this.othersIn = false;
    this.othersAsked = false;
    const early = this.partnersFirst;
    void early?.othersIn.then(() => {
      if (this.partnersFirst === early) this.othersIn = true;
    });
    const done = refill.finally(() => {
      this.unfilled -= 1;
      if (this.unfilled === 0) {
        this.partnersFirst = null;
        this.othersIn = false;
        this.othersAsked = false;
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
