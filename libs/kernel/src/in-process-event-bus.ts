import type { RecordedEvent } from './event-envelope';
import type { BusSubscription, BusSubscriptionOptions, EventBus } from './event-bus.port';

type Handlers = Pick<BusSubscriptionOptions, 'handler' | 'batchHandler'>;

/** One group's membership of one topic: deliveries run one after another, in publish order. */
class GroupDelivery {
  private tail: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly handlers: Handlers) {}

  deliver(topic: string, events: readonly RecordedEvent[]): Promise<void> {
    const delivery = this.tail.then(async () => {
      const { handler, batchHandler } = this.handlers;
      if (batchHandler) {
        if (!this.stopped) await batchHandler(events, topic);
        return;
      }
      for (const event of events) {
        if (this.stopped) return;
        await handler(event, topic);
      }
    });
    this.tail = delivery.catch(() => undefined);
    return delivery;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.tail;
  }
}

/**
 * The EventBus of embedded mode: every event goes straight to the handlers of the topic's subscriptions,
 * one handler per group (a group's batch handler, if it has one, takes the published batch whole), and
 * `publish` resolves once all of them resolved (that is the acknowledgement).
 * A rejecting handler rejects `publish`, so the OutboxRelay retries the batch: groups that had already
 * handled it see it again, which idempotent handlers allow.
 * Nothing is retained: a group receives only what is published while it is subscribed, so subscribers
 * subscribe before the relay starts, and the relay's checkpoint is what makes delivery durable.
 */
export class InProcessEventBus implements EventBus {
  private readonly topics = new Map<string, Map<string, GroupDelivery>>();
  private closed = false;

  async publish(topic: string, events: readonly RecordedEvent[]): Promise<void> {
    if (this.closed) throw new Error('InProcessEventBus is closed');
    const groups = [...(this.topics.get(topic)?.values() ?? [])];
    const results = await Promise.allSettled(groups.map((group) => group.deliver(topic, events)));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} subscriptions of ${topic} failed`);
  }

  async subscribe(options: BusSubscriptionOptions): Promise<BusSubscription> {
    if (this.closed) throw new Error('InProcessEventBus is closed');
    for (const topic of options.topics) {
      if (this.topics.get(topic)?.has(options.groupId)) {
        throw new Error(`Group ${options.groupId} already has a subscription to ${topic}`);
      }
    }
    const memberships = options.topics.map((topic) => {
      const groups = this.topics.get(topic) ?? new Map<string, GroupDelivery>();
      this.topics.set(topic, groups);
      const delivery = new GroupDelivery(options);
      groups.set(options.groupId, delivery);
      return { topic, delivery };
    });
    return {
      stop: async () => {
        for (const { topic, delivery } of memberships) {
          const groups = this.topics.get(topic);
          if (groups?.get(options.groupId) === delivery) groups.delete(options.groupId);
        }
        await Promise.all(memberships.map(({ delivery }) => delivery.stop()));
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const deliveries = [...this.topics.values()].flatMap((groups) => [...groups.values()]);
    this.topics.clear();
    await Promise.all(deliveries.map((delivery) => delivery.stop()));
  }
}
