import type { RecordedEvent } from './event-envelope';

/**
 * Carries recorded events to other services: Kafka in distributed mode, an in-process bus when embedded.
 * Delivery is at least once: handlers must be idempotent.
 */
export interface EventBus {
  /** Resolves only once every event is acknowledged (Kafka: acks=all). Order within a stream is kept. */
  publish(topic: string, events: readonly RecordedEvent[]): Promise<void>;
  /**
   * Consumes a topic as a named group; a group resumes after what it acknowledged.
   * The handler's promise resolving acknowledges the event.
   */
  subscribe(options: BusSubscriptionOptions): Promise<BusSubscription>;
  close(): Promise<void>;
  /** Records not yet handled per consumer group, topic and partition (Kafka); buses that deliver in-process have none. */
  consumerLag?(): Promise<ConsumerPartitionLag[]>;
  /**
   * What of a topic's events the bus already holds, read from the end of each partition (Kafka). An outbox relay asks
   * once per topic when it starts, so that events the bus acknowledged before a crash, but past the checkpoint the
   * relay had saved, are not published twice. Buses that deliver in-process have nothing to tell.
   */
  publishedPositions?(topic: string): Promise<PublishedPositions>;
}

/** The newest events found at the end of each partition of a topic, among the records the topic's own service wrote. */
export interface PublishedPositions {
  /** The partition the bus puts an event in, computed as its producer does. */
  partitionOf(event: RecordedEvent): number;
  /** Per partition, the event of highest store position among its last records; partitions without one are absent. */
  readonly latest: ReadonlyMap<number, PublishedEventRef>;
}

/** An event found on a topic: its id, and its position in the store that published it. */
export interface PublishedEventRef {
  readonly id: string;
  readonly position: number;
}

/** How far one consumer group is behind on one partition of a topic. */
export interface ConsumerPartitionLag {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** The group's committed offset (-1: nothing committed yet). */
  readonly committedOffset: number;
  /** The partition's high watermark: the offset the next record will get. */
  readonly endOffset: number;
  /** Records between the committed offset (or the partition's start) and the end. */
  readonly lag: number;
}

/** What a bus tells a handler about the delivery it is in. */
export interface BusDelivery {
  /**
   * A wait that keeps the subscription's session alive (Kafka heartbeats): a handler that retries waits with it, or the
   * broker takes its partitions away after the session timeout and delivers the event again, from its first attempt.
   */
  pause(ms: number): Promise<void>;
}

/** A retry's wait: through the delivery's pause when the bus gave one (a pause that fails falls back), else `sleep`. */
export function pauseThrough(delivery: BusDelivery | null, ms: number, sleep: (ms: number) => Promise<void>): Promise<void> {
  return delivery ? delivery.pause(ms).catch(() => sleep(ms)) : sleep(ms);
}

export interface BusSubscriptionOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: (event: RecordedEvent, topic: string, delivery?: BusDelivery) => Promise<void>;
  /**
   * Optional: takes a whole published batch of one topic at once, in order (a bus that delivers in-process calls it
   * instead of `handler`, once per batch, so a catch-up costs one call, one copy write and one release per batch).
   * Its promise resolving acknowledges every event of the batch; rejecting acknowledges none (redelivered whole).
   * A bus calls it only for a topic fed from one store in its order: batches and their events come in position order,
   * and a redelivery repeats events already delivered, never an older one after a newer one first seen.
   */
  readonly batchHandler?: (events: readonly RecordedEvent[], topic: string) => Promise<void>;
  /**
   * For topics written by systems outside the platform (e.g. the gateway's `as2.gateway.messages`): a record that
   * is no event envelope is handed over as an event of this type, its JSON value as `data`, its id
   * `<topic>:<partition>:<offset>`. Without it such a record is unreadable (parked).
   */
  readonly foreignRecordType?: string;
}

export interface BusSubscription {
  stop(): Promise<void>;
}

export const EVENT_BUS = Symbol('EventBus');

/** One Kafka topic per service: `as2.<service>.events`. */
export function topicOf(service: string): string {
  return `as2.${service}.events`;
}
