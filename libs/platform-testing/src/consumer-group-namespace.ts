import type { BusSubscription, BusSubscriptionOptions, EventBus } from '@as2-partners/kernel';

/**
 * The bus as is, except that every consumer group it joins is prefixed with `namespace`. Group names are fixed per
 * service, so two apps of suites running side by side on one broker would join the same group and split its
 * records: the events one suite published would be applied to the other suite's read model.
 */
export function withConsumerGroupNamespace(bus: EventBus, namespace: string): EventBus {
  const consumerLag = bus.consumerLag?.bind(bus);
  const publishedPositions = bus.publishedPositions?.bind(bus);
  return {
    publish: (topic, events) => bus.publish(topic, events),
    subscribe: (options: BusSubscriptionOptions): Promise<BusSubscription> => bus.subscribe({ ...options, groupId: `${namespace}.${options.groupId}` }),
    close: () => bus.close(),
    ...(consumerLag ? { consumerLag } : {}),
    ...(publishedPositions ? { publishedPositions } : {}),
  };
}
