import type { BusSubscription, BusSubscriptionOptions, ConsumerPartitionLag, EventBus, PublishedPositions } from './event-bus.port';
import type { RecordedEvent } from './event-envelope';

/** Dot-separated parts of Kafka's topic characters, no empty part: `staging`, `eu1.prod`. */
const PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
/** Kafka allows 249 characters a topic name; the longest name of ours (`as2.connection-tester.events`) leaves room for this. */
export const MAX_TOPIC_PREFIX_LENGTH = 100;

/** Why `prefix` cannot prefix topic names, or null when it can. */
export function topicPrefixProblem(prefix: string): string | null {
  if (prefix.length > MAX_TOPIC_PREFIX_LENGTH) return `at most ${MAX_TOPIC_PREFIX_LENGTH} characters`;
  if (!PREFIX.test(prefix)) return 'letters, digits, "_" and "-" in parts separated by single dots';
  return null;
}

/** The topic on the cluster: `<prefix>.as2.<service>.events`. */
export function prefixedTopic(prefix: string, topic: string): string {
  return `${prefix}.${topic}`;
}

/**
 * The bus with every topic it touches and every consumer group it joins on the cluster prefixed (`KAFKA_TOPIC_PREFIX`):
 * deployments sharing one cluster (staging beside production, or suites of tests on one broker) each read and write
 * only their own topics. The code above sees topics and groups by their names without the prefix; the CloudEvents
 * headers are unchanged (ce_source still `/as2-partners/<service>`).
 */
export function withTopicPrefix(bus: EventBus, prefix: string): EventBus {
  const problem = topicPrefixProblem(prefix);
  if (problem) throw new Error(`Topic prefix "${prefix}" is not usable: ${problem}`);
  const onCluster = (topic: string): string => prefixedTopic(prefix, topic);
  const ours = `${prefix}.`;
  const unprefixed = (name: string): string => (name.startsWith(ours) ? name.slice(ours.length) : name);
  const consumerLag = bus.consumerLag?.bind(bus);
  const publishedPositions = bus.publishedPositions?.bind(bus);
  return {
    publish: (topic: string, events: readonly RecordedEvent[]) => bus.publish(onCluster(topic), events),
    subscribe: (options: BusSubscriptionOptions): Promise<BusSubscription> => {
      const { handler, batchHandler } = options;
      return bus.subscribe({
        ...options,
        // Group names are fixed per service: unprefixed, two deployments would share each group, and its leader would
        // hand the other deployment's members partitions of its own topic only, leaving theirs unread.
        groupId: onCluster(options.groupId),
        topics: options.topics.map(onCluster),
        handler: (event, topic, delivery) => handler(event, unprefixed(topic), delivery),
        ...(batchHandler ? { batchHandler: (events: readonly RecordedEvent[], topic: string) => batchHandler(events, unprefixed(topic)) } : {}),
      });
    },
    close: () => bus.close(),
    ...(consumerLag
      ? { consumerLag: async (): Promise<ConsumerPartitionLag[]> => (await consumerLag()).map((lag) => ({ ...lag, groupId: unprefixed(lag.groupId), topic: unprefixed(lag.topic) })) }
      : {}),
    ...(publishedPositions ? { publishedPositions: (topic: string): Promise<PublishedPositions> => publishedPositions(onCluster(topic)) } : {}),
  };
}
