import type { AllStreamSubscription } from '@eventstore/db-client';
import type { CatchUpSubscriptionOptions, Subscription } from '@as2-partners/kernel';
import { fromEsdbEvent, isDomainEvent } from './esdb-event-mapping';

/** Hands the events of an ESDB $all catch-up subscription to `onEvent` one at a time, skipping ESDB's own. */
export class EsdbCatchUpSubscription implements Subscription {
  private stopped = false;
  private released = false;
  private readonly finished: Promise<void>;

  constructor(
    private readonly source: AllStreamSubscription,
    private readonly options: CatchUpSubscriptionOptions,
    private readonly onFinished: (subscription: EsdbCatchUpSubscription) => void,
  ) {
    this.finished = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.release();
    await this.finished;
  }

  private async run(): Promise<void> {
    const after = this.options.after ?? null;
    try {
      for await (const resolved of this.source) {
        if (this.stopped) break;
        const event = resolved.event;
        if (!event || !isDomainEvent(event)) continue;
        const recorded = fromEsdbEvent(event);
        // Guards the exclusive checkpoint whatever the server does with an exact start position.
        if (after !== null && recorded.position <= after) continue;
        await this.options.onEvent(recorded);
      }
      if (!this.stopped) throw new Error('EventStoreDB ended the $all subscription');
    } catch (error) {
      if (!this.stopped) {
        this.stopped = true;
        this.options.onError?.(error);
      }
    } finally {
      await this.release();
      this.onFinished(this);
    }
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.source.unsubscribe().catch(() => undefined);
    this.source.destroy();
  }
}
