interface Waiter {
  readonly position: number;
  /** performance.now() past which the wait is refused. */
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: () => void;
}

/**
 * Promises that resolve once a follower has handled a given store position (read-your-writes), or time out.
 *
 * Every write of a request waits on several followers, so a wait is kept cheap: the waiters are held in position order
 * (a release takes a prefix) and share one timer, armed for the earliest deadline, instead of a timer each (under
 * creates from 16 clients that was ~3 timers set and cleared a create).
 */
export class PositionWaiters {
  private waiters: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The deadline the timer is armed for (Infinity: none). */
  private timerAt = Number.POSITIVE_INFINITY;

  /** `reached` is the follower's current position (null: nothing handled yet); `who` names it in the timeout error. */
  waitFor(position: number, reached: number | null, timeoutMs: number, who: string): Promise<void> {
    if (reached !== null && reached >= position) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const deadline = performance.now() + timeoutMs;
      const refuse = (): void => reject(new Error(`${who} did not reach position ${position} within ${timeoutMs} ms`));
      this.insert({ position, deadline, resolve, reject: refuse });
      this.armFor(deadline);
    });
  }

  /** Resolves every waiter at or below `reached`. */
  release(reached: number): void {
    let ready = 0;
    while (ready < this.waiters.length && (this.waiters[ready] as Waiter).position <= reached) ready += 1;
    if (ready === 0) return;
    const released = this.waiters.splice(0, ready);
    if (this.waiters.length === 0) this.disarm();
    for (const waiter of released) waiter.resolve();
  }

  /** In position order; positions mostly come in order, so the place is found from the end. */
  private insert(waiter: Waiter): void {
    let at = this.waiters.length;
    while (at > 0 && (this.waiters[at - 1] as Waiter).position > waiter.position) at -= 1;
    if (at === this.waiters.length) this.waiters.push(waiter);
    else this.waiters.splice(at, 0, waiter);
  }

  private armFor(deadline: number): void {
    if (this.timer !== null && this.timerAt <= deadline) return;
    this.disarm();
    this.timerAt = deadline;
    this.timer = setTimeout(() => this.expire(), Math.max(0, Math.ceil(deadline - performance.now())));
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  /** Refuses the waits past their deadline and arms the timer for the earliest one left. */
  private expire(): void {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    const expired: Waiter[] = [];
    const pending: Waiter[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const waiter of this.waiters) {
      if (waiter.deadline <= now) {
        expired.push(waiter);
      } else {
        pending.push(waiter);
        next = Math.min(next, waiter.deadline);
      }
    }
    this.waiters = pending;
    if (next !== Number.POSITIVE_INFINITY) this.armFor(next);
    for (const waiter of expired) waiter.reject();
  }
}
