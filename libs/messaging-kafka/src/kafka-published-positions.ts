import type { PublishedEventRef, PublishedPositions, RecordedEvent } from '@as2-partners/kernel';
import { Partitioners, type Admin, type Broker, type Kafka, type KafkaMessage, type PartitionMetadata } from 'kafkajs';
import { serviceOfTopic } from './cloud-event-headers';
import { recordKeyOf, recordedEventOf } from './kafka-event-record';

/** Records read from the end of each partition: enough to see past a few records other producers may have appended. */
export const TAIL_RECORDS = 50;
/** Bytes asked per partition and fetch; a fetch that stops short is followed by the next from where it stopped. */
const FETCH_PARTITION_BYTES = 1024 * 1024;

/** The part of kafkajs's cluster (present in 2.x, not exported) that sends a Fetch to a partition's leader without a consumer group. */
interface LeaderFetchCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(node: { nodeId: string }): Promise<Broker>;
}

interface FetchedPartition {
  readonly partition: number;
  readonly messages: KafkaMessage[];
}

/**
 * A consumer must join a group before it may read (kafkajs has no `assign`), and a new group's join waits out the
 * broker's initial rebalance delay (3 s by default); the cluster kafkajs builds for its clients fetches from a
 * partition's leader directly. Throws when this kafkajs does not have it: the relay then falls back to at-least-once.
 */
function leaderFetchCluster(kafka: Kafka): LeaderFetchCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = symbol === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[symbol];
  if (typeof create !== 'function') throw new Error('this kafkajs cannot fetch a partition without a consumer group');
  return (create as (options: { allowAutoTopicCreation: boolean }) => LeaderFetchCluster).call(kafka, { allowAutoTopicCreation: false });
}

/**
 * Reads the last records of every partition of a topic and keeps, per partition, the event of highest store position
 * among those the topic's own service wrote (CloudEvents source `/as2-partners/<service>`, value an event envelope).
 * The partition of an event is the producer's own: kafkajs's DefaultPartitioner on the record key.
 */
export async function readPublishedPositions(kafka: Kafka, admin: Admin, topic: string): Promise<PublishedPositions> {
  const source = `/as2-partners/${serviceOfTopic(topic)}`;
  if (!(await admin.listTopics()).includes(topic)) return { partitionOf: () => 0, latest: new Map() };
  const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
  const partitionOf = partitionerOf(topic, metadata.partitions);
  const ranges = (await admin.fetchTopicOffsets(topic))
    .map(({ partition, high, low }) => ({ partition, high: Number(high), from: Math.max(Number(low), Number(high) - TAIL_RECORDS) }))
    .filter(({ high, from }) => high > from);
  const latest = new Map<number, PublishedEventRef>();
  if (ranges.length === 0) return { partitionOf, latest };
  const cluster = leaderFetchCluster(kafka);
  try {
    await cluster.connect();
    await cluster.addTargetTopic(topic);
    const leaders = cluster.findLeaderForPartitions(
      topic,
      ranges.map((r) => r.partition),
    );
    await Promise.all(
      Object.entries(leaders).map(async ([nodeId, partitions]) => {
        const broker = await cluster.findBroker({ nodeId });
        for (const range of ranges.filter((r) => partitions.includes(r.partition))) {
          for (const message of await fetchTail(broker, topic, range)) {
            const event = ownEventOf(message, source);
            if (event && (latest.get(range.partition)?.position ?? -Infinity) < event.position) latest.set(range.partition, { id: event.id, position: event.position });
          }
        }
      }),
    );
  } finally {
    await cluster.disconnect();
  }
  return { partitionOf, latest };
}

/** The records of one partition from `from` up to its high watermark as it was asked. */
async function fetchTail(broker: Broker, topic: string, range: { partition: number; from: number; high: number }): Promise<KafkaMessage[]> {
  const messages: KafkaMessage[] = [];
  let next = range.from;
  while (next < range.high) {
    const { responses } = (await broker.fetch({
      maxWaitTime: 0,
      minBytes: 1,
      maxBytes: FETCH_PARTITION_BYTES,
      topics: [{ topic, partitions: [{ partition: range.partition, fetchOffset: String(next), maxBytes: FETCH_PARTITION_BYTES }] }],
    })) as { responses: { partitions: FetchedPartition[] }[] };
    // A fetch answers whole record batches, so it may start before the offset asked for.
    const fetched = responses.flatMap((r) => r.partitions).flatMap((p) => p.messages).filter((m) => Number(m.offset) >= next);
    if (fetched.length === 0) break;
    messages.push(...fetched);
    next = Number(fetched[fetched.length - 1].offset) + 1;
  }
  return messages;
}

/** The event of a record its topic's own service wrote; null for any other record. */
function ownEventOf(message: KafkaMessage, source: string): RecordedEvent | null {
  if (message.headers?.['ce_source']?.toString() !== source) return null;
  try {
    return recordedEventOf(message.value);
  } catch {
    return null;
  }
}

function partitionerOf(topic: string, partitionMetadata: PartitionMetadata[]): (event: RecordedEvent) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  return (event) => partitioner({ topic, partitionMetadata, message: { key: recordKeyOf(event), value: null } });
}
