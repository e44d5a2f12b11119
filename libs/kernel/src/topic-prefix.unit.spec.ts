import type { BusSubscriptionOptions, ConsumerPartitionLag, EventBus, PublishedPositions } from './event-bus.port';
import type { RecordedEvent } from './event-envelope';
import { prefixedTopic, topicPrefixProblem, withTopicPrefix } from './topic-prefix';

/** A bus that records which topics it was asked for and hands a subscriber's handlers to the test. */
function recordingBus() {
  const published: string[] = [];
  const subscribed: BusSubscriptionOptions[] = [];
  const positionsAsked: string[] = [];
  const bus: EventBus = {
    publish: async (topic) => void published.push(topic),
    subscribe: async (options) => {
      subscribed.push(options);
      return { stop: async () => undefined };
    },
    close: async () => undefined,
    consumerLag: async (): Promise<ConsumerPartitionLag[]> => [{ groupId: 'staging.g', topic: 'staging.as2.partner-registry.events', partition: 0, committedOffset: 1, endOffset: 3, lag: 2 }],
    publishedPositions: async (topic): Promise<PublishedPositions> => {
      positionsAsked.push(topic);
      return { partitionOf: () => 0, latest: new Map() };
    },
  };
  return { bus, published, subscribed, positionsAsked };
}

const event = { id: 'e1', type: 'partner.created.v1', position: 1 } as RecordedEvent;

describe('withTopicPrefix (KAFKA_TOPIC_PREFIX)', () => {
  it('publishes, subscribes and asks what a topic holds on the prefixed topic, joins the prefixed group; handlers and lags see both without the prefix', async () => {
    const { bus, published, subscribed, positionsAsked } = recordingBus();
    const prefixed = withTopicPrefix(bus, 'staging');
    await prefixed.publish('as2.partner-registry.events', [event]);
    expect(published).toEqual(['staging.as2.partner-registry.events']);

    const seen: string[] = [];
    await prefixed.subscribe({
      groupId: 'g',
      topics: ['as2.partner-registry.events', 'as2.gateway.messages'],
      handler: async (_e, topic) => void seen.push(`one:${topic}`),
      batchHandler: async (_e, topic) => void seen.push(`batch:${topic}`),
    });
    expect(subscribed[0]?.topics).toEqual(['staging.as2.partner-registry.events', 'staging.as2.gateway.messages']);
    expect(subscribed[0]?.groupId).toBe('staging.g');
    await subscribed[0]?.handler(event, 'staging.as2.partner-registry.events');
    await subscribed[0]?.batchHandler?.([event], 'staging.as2.gateway.messages');
    expect(seen).toEqual(['one:as2.partner-registry.events', 'batch:as2.gateway.messages']);

    await prefixed.publishedPositions?.('as2.partner-registry.events');
    expect(positionsAsked).toEqual(['staging.as2.partner-registry.events']);
    expect((await prefixed.consumerLag?.())?.map((lag) => [lag.groupId, lag.topic])).toEqual([['g', 'as2.partner-registry.events']]);
  });

  it('adds no batch handler the subscriber did not give', async () => {
    const { bus, subscribed } = recordingBus();
    await withTopicPrefix(bus, 'staging').subscribe({ groupId: 'g', topics: ['as2.x.events'], handler: async () => undefined });
    expect(subscribed[0]?.batchHandler).toBeUndefined();
  });

  it.each(['staging', 'eu1.prod', 'it-3f2a_b'])('accepts %s', (prefix) => {
    expect(topicPrefixProblem(prefix)).toBeNull();
    expect(prefixedTopic(prefix, 'as2.partner-registry.events')).toBe(`${prefix}.as2.partner-registry.events`);
  });

  it.each(['', '.staging', 'staging.', 'a..b', 'prod/eu', 'prod eu', 'x'.repeat(101)])('refuses %j', (prefix) => {
    expect(topicPrefixProblem(prefix)).not.toBeNull();
    expect(() => withTopicPrefix(recordingBus().bus, prefix)).toThrow('is not usable');
  });
});
