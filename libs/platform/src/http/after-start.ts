import { Injectable, Logger, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import { nextTurnOfLoop } from '@as2-partners/kernel';
import { RequestsInFlight } from './requests-in-flight';

/**
 * How long the server must have answered no request before the work after start begins: the first requests after a
 * restart (a create right after ready, the ones right after it) run alone, not beside the refill's pages, the details
 * walk and the collections their garbage brings. A reader waiting for a work (`wanted`) ends the wait at once.
 */
export const QUIET_BEFORE_WORK_MS = 200;
/**
 * How long the work after start waits at most for such a quiet moment (requests without a pause from ready on): also the
 * most a decision can wait longer for the traffic refill than when the refill began at once (it begins the refill itself).
 */
export const QUIET_WAIT_MAX_MS = 1_000;

interface StartWork {
  readonly name: string;
  readonly run: () => Promise<void> | void;
  done: boolean;
}

/**
 * Work a process begins once it is initialised (createHttpApp, before it listens), none of it awaited by the start:
 * a head start on what a request would otherwise wait for or do itself (the traffic directory refilled, a hub tenant's
 * partner directory restored, partners' bodies pre-joined). /health/ready does not wait for it: a request that needs
 * the work waits for it or does it itself, so no answer is wrong meanwhile. The works run one after another (`first` ones before the rest),
 * so the one a request may be waiting for does not share the process with a long background walk. The first begins
 * once the server has been quiet for `QUIET_BEFORE_WORK_MS` (RequestsInFlight.whenQuiet; at most `QUIET_WAIT_MAX_MS`),
 * each later one once the requests being answered are (RequestsInFlight.giveWay: a create does not wait behind a schema
 * compile); a work a reader waits for (`wanted`) and those queued before it begin without either wait. A process that
 * is never started (the rebuild command) runs none.
 */
@Injectable()
export class AfterStart implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AfterStart.name);
  private readonly work: StartWork[] = [];
  /** How many of the queued works are `first` ones (they lead the queue, in the order they were registered). */
  private firsts = 0;
  private begun = false;
  /** The app is shutting down: no work begins any more (one running is left to end). */
  private stopped = false;
  private running = false;
  /** The quiet wait is still due (before the first work after begin). */
  private quietDue = true;
  /** Works a reader waits for that have not ended: until they have, no work gives way. */
  private readonly wantedNow = new Set<StartWork>();
  /** Ends the wait before the next work at once (a reader began to wait). */
  private readonly wakers = new Set<() => void>();
  /** The quiet wait's bounds (ms); tests shorten them. */
  readonly quiet: { quietMs: number; maxWaitMs: number } = { quietMs: QUIET_BEFORE_WORK_MS, maxWaitMs: QUIET_WAIT_MAX_MS };

  constructor(@Optional() private readonly requests?: RequestsInFlight) {}

  /**
   * Runs `run` once the process has started, after the works registered before it (`first`: before the others not
   * begun yet, after the `first` ones registered before it). `wanted` resolves when a reader begins to wait for the work:
   * from then until the work ends, the works go without waiting for quiet or for requests being answered.
   */
  register(name: string, run: () => Promise<void> | void, options: { readonly first?: boolean; readonly wanted?: Promise<unknown> } = {}): void {
    const work: StartWork = { name, run, done: false };
    if (options.first) this.work.splice(this.firsts++, 0, work);
    else this.work.push(work);
    options.wanted?.then(() => this.want(work), () => undefined);
    if (this.begun) this.next();
  }

  /** Called once, when the app is initialised: the registered works begin once the server has been quiet (see above). */
  begin(): void {
    if (this.begun) return;
    this.begun = true;
    this.next();
  }

  /** The works not begun yet never will: the stores they would read are about to close. */
  beforeApplicationShutdown(): void {
    this.stopped = true;
    this.work.length = 0;
    this.firsts = 0;
    for (const wake of [...this.wakers]) wake();
  }

  private want(work: StartWork): void {
    if (work.done) return;
    this.wantedNow.add(work);
    for (const wake of [...this.wakers]) wake();
  }

  private next(): void {
    if (this.running || this.stopped) return;
    const work = this.work.shift();
    if (!work) return;
    if (this.firsts > 0) this.firsts -= 1;
    this.running = true;
    void this.turnBefore().then(() => {
      Promise.resolve()
        .then(() => (this.stopped ? undefined : work.run()))
        // A head start only: a failure leaves the work to the first request that needs it.
        .catch((error: unknown) => this.logger.warn(`${work.name} after start failed: ${String(error)}`))
        .finally(() => {
          work.done = true;
          this.wantedNow.delete(work);
          this.running = false;
          this.next();
        });
    });
  }

  /** The wait before a work: the quiet one before the first, a way given to requests before the others; cut short by a reader. */
  private turnBefore(): Promise<void> {
    if (this.wantedNow.size > 0 || !this.requests) return nextTurnOfLoop();
    const wait = this.quietDue ? this.requests.whenQuiet(this.quiet.quietMs, this.quiet.maxWaitMs) : this.requests.giveWay();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        this.wakers.delete(wake);
        // The quiet wait is over only once it ran out (a work begun for a reader does not end it for the ones after).
        setImmediate(resolve);
      };
      this.wakers.add(wake);
      void wait.then(() => {
        if (!this.wakers.has(wake)) return;
        this.quietDue = false;
        wake();
      });
    });
  }
}
