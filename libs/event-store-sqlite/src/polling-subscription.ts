import type { CatchUpSubscriptionOptions, RecordedEvent, Subscription } from '@as2-partners/kernel';

export type ReadBatchAfter = (after: number | null, maxCount: number) => RecordedEvent[];

const BATCH_SIZE = 256;

/**
 * Catch-up subscription over a table that other connections may also append to: reads in batches
 * after the last delivered position, and when caught up sleeps until `notify()` (an append by this
 * store) or the poll interval (an append by another process) wakes it.
 *
 * Woken again sooner than `gatherMs` after its last read began, it waits out the rest of that time before reading:
 * under a stream of appends (creates from many clients: a group commit every millisecond or so) each read then takes
 * the appends of several commits, and its consumer handles them as one batch (one read-model statement, savepoint and
 * checkpoint for several creates instead of one each). A lone append after a quiet spell is read at once.
 */
export class PollingSubscription implements Subscription {
  private stopped = false;
  private wake: (() => void) | null = null;
  /** An append told while a batch was being delivered: the next sleep is skipped (it may not be in the batch read). */
  private toldWhileBusy = false;
  private readonly finished: Promise<void>;

  constructor(
    private readonly readBatchAfter: ReadBatchAfter,
    private readonly options: CatchUpSubscriptionOptions,
    private readonly pollIntervalMs: number,
    private readonly onFinished: (subscription: PollingSubscription) => void,
    private readonly gatherMs = 0,
  ) {
    this.finished = this.run();
  }

  notify(): void {
    if (this.wake) this.wake();
    else this.toldWhileBusy = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.notify();
    await this.finished;
  }

  private async run(): Promise<void> {
    // Deliver nothing before subscribeToAll has returned to its caller.
    await Promise.resolve();
    let after = this.options.after ?? null;
    let readAt = -Infinity;
    try {
      while (!this.stopped) {
        readAt = performance.now();
        const batch = this.readBatchAfter(after, BATCH_SIZE);
        if (this.options.onBatch && batch.length > 0) {
          if (this.stopped) return;
          await this.options.onBatch(batch);
          after = (batch.at(-1) as RecordedEvent).position;
        } else
          for (const event of batch) {
            if (this.stopped) return;
            await this.options.onEvent(event);
            after = event.position;
          }
        if (batch.length < BATCH_SIZE && !this.stopped) {
          // An append told while the batch was delivered may not be in it: read again without sleeping.
          if (this.toldWhileBusy) this.toldWhileBusy = false;
          else await this.sleep();
          // Woken sooner than `gatherMs` after the last read began: the rest of that time first (see the class).
          const rest = readAt + this.gatherMs - performance.now();
          if (rest > 0 && !this.stopped) await new Promise((resolve) => setTimeout(resolve, rest));
        }
        // A long catch-up (a rebuild, a restart behind) gives the event loop a turn between batches.
        else await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.stopped = true;
      this.options.onError?.(error);
    } finally {
      this.onFinished(this);
    }
  }

  /** Until an append is told (`notify`) or the poll interval passes. */
  private sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wake?.(), this.pollIntervalMs);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}
