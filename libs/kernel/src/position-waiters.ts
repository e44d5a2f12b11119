interface Waiter {
  readonly position: number;
  readonly resolve: () => void;
}

/** Promises that resolve once a follower has handled a given store position (read-your-writes), or time out. */
export class PositionWaiters {
  private waiters: Waiter[] = [];

  /** `reached` is the follower's current position (null: nothing handled yet); `who` names it in the timeout error. */
  waitFor(position: number, reached: number | null, timeoutMs: number, who: string): Promise<void> {
    if (reached !== null && reached >= position) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${who} did not reach position ${position} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Resolves every waiter at or below `reached`. */
  release(reached: number): void {
    const ready = this.waiters.filter((w) => w.position <= reached);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > reached);
    for (const w of ready) w.resolve();
  }
}
