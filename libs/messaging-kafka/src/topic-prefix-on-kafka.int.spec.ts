import { randomUUID } from 'node:crypto';
import { withTopicPrefix, type BusSubscription } from '@as2-partners/kernel';
import { busEvent, describeWithServer, uniqueTopic } from '@as2-partners/kernel-testing';
import { KafkaEventBus } from './kafka-event-bus';

describeWithServer('KAFKA_BROKERS', 'KAFKA_TOPIC_PREFIX on a shared Kafka cluster', (brokers) => {
  it('two deployments whose services name the same consumer group each consume every event of their own topic', async () => {
    const topic = uniqueTopic();
    // Both deployments run the same services, so their followers subscribe under the same fixed group names.
    const groupId = `partner-registry.partner-certificates-${randomUUID().slice(0, 8)}`;
    const deployments = ['staging', 'production'].map((prefix) => ({
      prefix,
      connecting: KafkaEventBus.connect({ brokers: brokers.split(','), clientId: `as2-${prefix}`, topicPartitions: 2, retryInitialDelayMs: 20 }),
      received: [] as string[],
    }));
    const raw = await Promise.all(deployments.map((deployment) => deployment.connecting));
    const subscriptions: BusSubscription[] = [];
    try {
      const buses = deployments.map((deployment, i) => withTopicPrefix(raw[i] as KafkaEventBus, deployment.prefix));
      for (const [i, deployment] of deployments.entries()) {
        subscriptions.push(await (buses[i] ?? raw[i]).subscribe({ groupId, topics: [topic], handler: async (event) => void deployment.received.push(event.id) }));
      }
      // Events on several aggregates, so both partitions of each topic hold some.
      const published = deployments.map(() => Array.from({ length: 6 }, (_, n) => busEvent(`partner-prt_0${n}`, 0, n + 1)));
      await Promise.all(buses.map((bus, i) => bus.publish(topic, published[i] ?? [])));

      const deadline = Date.now() + 30_000;
      const done = () => deployments.every((deployment, i) => deployment.received.length >= (published[i]?.length ?? 0));
      while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      for (const [i, deployment] of deployments.entries()) expect(new Set(deployment.received)).toEqual(new Set(published[i]?.map((event) => event.id)));
    } finally {
      await Promise.all(subscriptions.map((subscription) => subscription.stop()));
      await Promise.all(raw.map((bus) => bus.close()));
    }
  }, 60_000);
});
