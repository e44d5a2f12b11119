import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  parkedEventIdOf,
  RetryThenPark,
  type BusDelivery,
  type BusSubscription,
  type BusSubscriptionOptions,
  type ConsumerPartitionLag,
  type EventBus,
  type FollowerLogger,
  type ParkedEventStore,
  type PublishedPositions,
  type RecordedEvent,
  type RetryPolicy,
  UNREADABLE_RECORD_TYPE,
} from '@as2-partners/kernel';
import { ConfigResourceTypes, Kafka, Partitioners, logLevel, type Admin, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import { foreignRecordOf, kafkaMessageOf, recordedEventOf } from './kafka-event-record';
import { StopBudget } from './stop-budget';
import { kafkaLogCreator } from './kafka-log-creator';
import { readPublishedPositions } from './kafka-published-positions';
import { withConsumerSpan } from './consumer-span';

export interface KafkaEventBusOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Partitions of the topics this bus creates when they are missing; default: the broker's num.partitions. */
  readonly topicPartitions?: number;
  /** Replication factor of topics this bus creates; default: the broker's default.replication.factor. */
  readonly replicationFactor?: number;
  /** The `ce_dataschema` of an event type, when there is a published schema. */
  readonly dataSchemaFor?: (event: RecordedEvent) => string | undefined;
  /**
   * Where a consumer parks a record its handler kept failing on (after `retry`), or that is no event at all, and
   * then commits past it. Without it a failing handler is retried forever (the partition waits for it).
   */
  readonly parked?: ParkedEventStore;
  /** Attempts and backoff before parking. Default: the kernel's DEFAULT_RETRY_POLICY. */
  readonly retry?: RetryPolicy;
  /** Retry delays for a failing handler when nothing can be parked: doubles from initial to max, forever. */
  readonly retryInitialDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  /** How long a consumer's fetch waits for new records; also how long stopping a subscription can take. Default 1 s. */
  readonly fetchMaxWaitMs?: number;
  /**
   * How long the group coordinator keeps a member that stopped heart-beating (a crashed replica) before handing its
   * partitions to the others; also how long a restarted process's join waits for the member it replaces. Default 10 s.
   */
  readonly sessionTimeoutMs?: number;
  /** How often a consumer tells the group it is alive; at most a third of the session. Default 3 s. */
  readonly heartbeatIntervalMs?: number;
  /** Receives kafkajs warnings and errors; without it kafkajs prints its errors to the console. */
  readonly logger?: FollowerLogger;
  /**
   * When no broker answers at `connect`: false (default), `connect` rejects; true, `connect` resolves with a bus that
   * goes on connecting in the background (a service starts and serves while Kafka is down, as it does when Kafka goes
   * down later): until connected, `publish` and `ping` reject naming the brokers (an outbox relay retries), and
   * `subscribe` answers at once and subscribes once connected.
   */
  readonly connectInBackground?: boolean;
  /**
   * With `connectInBackground`, how long `connect` waits for a broker's answer before going on in the background: a
   * broker that takes connections and answers nothing (hung, or behind a black hole) would otherwise hold the start
   * for kafkajs's request timeouts and retries (~60 s). Default 5 s.
   */
  readonly connectTimeoutMs?: number;
  /**
   * How long stopping the subscriptions and closing the bus may take together when no broker answers (leaving the
   * groups, the last sends): past it they are left behind, so a SIGTERM ends within the pod's grace period. Default 10 s.
   */
  readonly closeTimeoutMs?: number;
  /** Delays between background connection attempts: doubles from initial to max (backoffDelayMs, with its jitter). Default 1 s to 30 s. */
  readonly reconnectInitialDelayMs?: number;
  readonly reconnectMaxDelayMs?: number;
}

/** Values of one send stay well under the broker's default message.max.bytes (1 MiB per record batch). */
const MAX_SEND_BYTES = 512 * 1024;
/** How long a topic's creation and its leaders' election may take on a just-started, loaded broker. */
const TOPIC_READY_TIMEOUT_MS = 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
/** The least a step of stopping waits for Kafka, whatever is left of the shutdown's closeTimeoutMs. */
const MIN_STOP_STEP_MS = 250;
/** The crash in a row (no group join between) from which a restarted consumer's crash is logged as an error. */
const CRASHES_BEFORE_ERROR = 3;

/**
 * The EventBus of distributed mode. The producer is idempotent with acks=-1, so `publish` resolves once every
 * in-sync replica has the events and a retried send never writes a record twice. Records are keyed by aggregate
 * id, so the events of a stream share a partition and keep their order. Consumers commit an offset only after
 * the handler resolved or the record was parked: a failing handler is retried with backoff, then its record parked.
 */
export class KafkaEventBus implements EventBus {
  private readonly ensuredTopics = new Set<string>();
  /** Topic creations in flight, by topic. */
  private readonly ensuring = new Map<string, Promise<void>>();
  private topicDefaults: Promise<{ numPartitions: number; replicationFactor: number }> | null = null;
  private readonly subscriptions = new Set<BusSubscription>();
  /** Subscriptions asked for before the background connection succeeded. */
  private readonly deferred = new Set<BusSubscription>();
  /** The groups this process consumes as, with their topics (for consumerLag). */
  private readonly groups = new Map<string, readonly string[]>();
  /** Sends go one at a time: kafkajs numbers idempotent batches at send time and mis-orders concurrent ones. */
  private sending: Promise<unknown> = Promise.resolve();
  /** Set by close(): waits for a topic or a subscribe give up instead of outliving the bus. */
  private closing = false;
  /** Null once the admin and the producer are connected; else why not yet (connecting in the background). */
  private notConnected: string | null = null;
  /** Resolves once connected (at once when `connect` connected); rejects when the bus closes first. */
  private connected: Promise<void> = Promise.resolve();
  /** Wakes the background connection's wait between attempts (close). */
  private wakeConnecting: () => void = () => undefined;
  /** The steps of one shutdown (each group's leave, then the close) share closeTimeoutMs. */
  private readonly stopBudget: StopBudget;

  private constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly producer: Producer,
    private readonly options: KafkaEventBusOptions,
  ) {
    this.stopBudget = new StopBudget(options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS, MIN_STOP_STEP_MS);
  }

  static async connect(options: KafkaEventBusOptions): Promise<KafkaEventBus> {
    const kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      ...(options.logger ? { logLevel: logLevel.WARN, logCreator: kafkaLogCreator(options.logger) } : { logLevel: logLevel.ERROR }),
    });
    const admin = kafka.admin();
    // Idempotence needs acks=-1 on every send and at most one request in flight: kafkajs lacks the sequence
    // re-numbering the broker's limit of 5 relies on (tulios/kafkajs#980), and it does not cap the value itself.
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const connecting = (async () => {
      await admin.connect();
      await producer.connect();
    })();
    try {
      const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
      if (!options.connectInBackground) await connecting;
      else await withinMs(connecting, connectTimeoutMs, () => new Error(`no broker answered within ${connectTimeoutMs} ms`));
    } catch (error) {
      connecting.catch(() => undefined);
      // Not awaited past the deadline: a disconnect from a broker that answers nothing waits as long as the connect.
      await withinMs(Promise.allSettled([producer.disconnect(), admin.disconnect()]), 1000, () => new Error('disconnect')).catch(() => undefined);
      const unreachable = `Kafka at ${options.brokers.join(',')} is not reachable: ${error instanceof Error ? error.message : String(error)}`;
      if (!options.connectInBackground) throw new Error(unreachable);
      const bus = new KafkaEventBus(kafka, admin, producer, options);
      bus.connectInBackground(unreachable);
      return bus;
    }
    return new KafkaEventBus(kafka, admin, producer, options);
  }

  /** True once a broker answered (the admin and the producer are connected). */
  get isConnected(): boolean {
    return this.notConnected === null;
  }

  /** Tries again, with backoff, until connected or closed; logs the first failure and every tenth. */
  private connectInBackground(firstFailure: string): void {
    this.notConnected = firstFailure;
    const brokers = this.options.brokers.join(',');
    this.options.logger?.warn(`${firstFailure}; the service starts without it and connects in the background (publishing and consuming wait for it)`, { brokers });
    this.connected = (async () => {
      const reconnect = { maxAttempts: Number.POSITIVE_INFINITY, initialDelayMs: this.options.reconnectInitialDelayMs ?? 1000, maxDelayMs: this.options.reconnectMaxDelayMs ?? 30_000 };
      for (let attempt = 1; ; attempt += 1) {
        const pause = wakeablePause(backoffDelayMs(reconnect, attempt));
        this.wakeConnecting = pause.wake;
        await pause.done;
        if (this.closing) throw new Error('Kafka bus closed before it could connect');
        try {
          await this.admin.connect();
          await this.producer.connect();
          this.notConnected = null;
          this.options.logger?.warn(`Kafka at ${brokers} reachable again after ${attempt} background attempt(s): publishing and consuming start`, { brokers });
          return;
        } catch (error) {
          await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
          this.notConnected = `Kafka at ${brokers} is not reachable: ${error instanceof Error ? error.message : String(error)}`;
          if (attempt % 10 === 0) this.options.logger?.error(`${this.notConnected}; still trying in the background`, { brokers, attempts: attempt });
        }
      }
    })();
    // Awaited by deferred subscriptions; a close before connecting is no failure of its own.
    this.connected.catch(() => undefined);
  }

  /** Rejects naming the brokers while the background connection has not succeeded. */
  private requireConnected(): void {
    if (this.notConnected !== null) throw new Error(`${this.notConnected} (connecting in the background)`);
  }

  async publish(topic: string, events: readonly RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.requireConnected();
    const messages = events.map((event) => kafkaMessageOf(event, topic, this.options.dataSchemaFor?.(event)));
    await this.ensureTopics([topic]);
    const send = this.sending.then(async () => {
      for (const chunk of chunksBySize(messages)) await this.producer.send({ topic, acks: -1, messages: chunk });
    });
    this.sending = send.catch(() => undefined);
    await send;
  }

  async subscribe(options: BusSubscriptionOptions): Promise<BusSubscription> {
    if (this.notConnected !== null) return this.subscribeOnceConnected(options);
    return this.subscribeNow(options);
  }

  /**
   * Answers at once; subscribes when the background connection succeeds, and after a failed subscribe tries again
   * (with backoff) until it succeeds or the subscription is stopped.
   */
  private subscribeOnceConnected(options: BusSubscriptionOptions): BusSubscription {
    let stopped = false;
    let wake = (): void => undefined;
    // A stop before the connection succeeded ends the wait for it (the background connection may retry for good).
    let stopWaiting = (): void => undefined;
    const stoppedBeforeConnected = new Promise<'stopped'>((resolve) => (stopWaiting = () => resolve('stopped')));
    const subscribing = (async (): Promise<BusSubscription | null> => {
      try {
        if ((await Promise.race([this.connected, stoppedBeforeConnected])) === 'stopped') return null;
      } catch {
        return null;
      }
      for (let failures = 0; !stopped && !this.closing; ) {
        try {
          return await this.subscribeNow(options);
        } catch (error) {
          failures += 1;
          const delay = backoffDelayMs(this.options.retry ?? DEFAULT_RETRY_POLICY, failures);
          this.options.logger?.error(`kafka consumer ${options.groupId} could not subscribe, tries again in ${delay} ms`, { error: error instanceof Error ? error.message : String(error) });
          const pause = wakeablePause(delay);
          wake = pause.wake;
          await pause.done;
        }
      }
      return null;
    })();
    const subscription: BusSubscription = {
      stop: async () => {
        stopped = true;
        wake();
        stopWaiting();
        this.deferred.delete(subscription);
        // Subscribed meanwhile (or about to be): that subscription is the one stopped.
        await (await subscribing)?.stop();
      },
    };
    this.deferred.add(subscription);
    return subscription;
  }

  private async subscribeNow(options: BusSubscriptionOptions): Promise<BusSubscription> {
    await this.ensureTopics(options.topics);
    const sessionTimeout = this.options.sessionTimeoutMs ?? 10_000;
    let stopping = false;
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? 1000,
      sessionTimeout,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? Math.max(500, Math.floor(sessionTimeout / 3)),
      // kafkajs restarts a crashed consumer; a join cut short by stop() must not bring back a stopped one.
      retry: { retries: 5, restartOnFailure: async () => !stopping },
    });
    await consumer.connect();
    // A crash kafkajs restarts from (a retriable error: a leader moving on a just-started broker) is a warning until it
    // repeats; one it does not restart from, or the third in a row without the group joined in between, is an error.
    let crashesInARow = 0;
    consumer.on(consumer.events.GROUP_JOIN, () => (crashesInARow = 0));
    consumer.on(consumer.events.CRASH, (crash) => {
      crashesInARow += 1;
      const error = crash.payload.error;
      const context = { error: error instanceof Error ? error.message : String(error), crashesInARow };
      const message = `kafka consumer ${options.groupId} crashed${crash.payload.restart ? ', restarting' : ''}`;
      if (crash.payload.restart && crashesInARow < CRASHES_BEFORE_ERROR) this.options.logger?.warn(message, context);
      else this.options.logger?.error(message, context);
    });
    try {
      await this.subscribeWhileRetriable(consumer, options);
    } catch (error) {
      await consumer.disconnect();
      throw error;
    }
    // Not awaited: run() resolves only once the group is joined, and after a kill -9 the coordinator holds a restarted
    // member's join until the dead one's session ends (sessionTimeoutMs). The process must be ready before that;
    // nothing is missed meanwhile: consumption starts at the group's committed offset whenever the join completes.
    const running = consumer
      .run({
        autoCommit: true,
        autoCommitInterval: 1000,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
          for (const message of batch.messages) {
            if (stopping || !isRunning() || isStale()) return;
            const handled = await this.deliver(options, batch.topic, batch.partition, message, { heartbeat, isRunning });
            if (!handled) return;
            resolveOffset(message.offset);
            await commitOffsetsIfNecessary();
            await heartbeat();
          }
        },
      })
      .catch((error: unknown) => {
        if (!stopping) this.options.logger?.error(`kafka consumer ${options.groupId} did not start`, { error: error instanceof Error ? error.message : String(error) });
      });
    let stopped: Promise<void> | null = null;
    const subscription: BusSubscription = {
      stop: () => {
        stopping = true;
        // A join in flight completes first (kafkajs cannot cancel it), so the runner it starts is the one stopped.
        stopped ??= this.leaveGroup(running, consumer, options.groupId).finally(() => {
          this.subscriptions.delete(subscription);
          this.groups.delete(options.groupId);
        });
        return stopped;
      },
    };
    this.subscriptions.add(subscription);
    this.groups.set(options.groupId, options.topics);
    return subscription;
  }

  /** Leaves the group once the join in flight is done; a broker that answers nothing holds both for kafkajs's timeouts and retries: given up on in time. */
  private async leaveGroup(running: Promise<void>, consumer: Consumer, groupId: string): Promise<void> {
    const leaving = running.then(() => consumer.disconnect());
    leaving.catch(() => undefined);
    const budget = this.stopBudget.stepMs();
    await withinMs(leaving, budget, () => new Error(`kafka consumer ${groupId} did not leave its group within ${budget} ms`)).catch((error: unknown) =>
      this.options.logger?.warn(error instanceof Error ? error.message : String(error), { groupId }),
    );
  }

  /** A broker still taking the topic's partitions answers "does not host this topic-partition" for a while: retried. */
  private async subscribeWhileRetriable(consumer: Consumer, options: BusSubscriptionOptions): Promise<void> {
    const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      try {
        await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
        return;
      } catch (error) {
        if (!isRetriable(error) || Date.now() > deadline || this.closing) throw error;
        this.options.logger?.warn(`kafka consumer ${options.groupId} could not subscribe yet, tries again`, {
          error: error instanceof Error ? error.message : String(error),
          retryInMs: delay,
        });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Per group this process consumes as, topic and partition: committed offset, high watermark and the records between. */
  async consumerLag(): Promise<ConsumerPartitionLag[]> {
    this.requireConnected();
    const lags: ConsumerPartitionLag[] = [];
    const ends = new Map<string, { partition: number; high: string; low: string }[]>();
    for (const [groupId, topics] of this.groups) {
      const committed = await this.admin.fetchOffsets({ groupId, topics: [...topics] });
      for (const { topic, partitions } of committed) {
        if (!ends.has(topic)) ends.set(topic, await this.admin.fetchTopicOffsets(topic));
        for (const end of ends.get(topic) ?? []) {
          const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
          const endOffset = Number(end.high);
          const from = offset >= 0 ? offset : Number(end.low);
          lags.push({ groupId, topic, partition: end.partition, committedOffset: offset, endOffset, lag: Math.max(0, endOffset - from) });
        }
      }
    }
    return lags;
  }

  /**
   * Per partition of the topic, the highest store position among the last records its own service wrote, and the
   * partition this bus's producer puts an event in: what a restarted relay need not publish again.
   */
  async publishedPositions(topic: string): Promise<PublishedPositions> {
    this.requireConnected();
    return readPublishedPositions(this.kafka, this.admin, topic);
  }

  /** Answers when a broker describes the cluster (readiness). */
  async ping(): Promise<void> {
    this.requireConnected();
    await this.admin.describeCluster();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.wakeConnecting();
    const closing = (async () => {
      await Promise.all([...this.deferred, ...this.subscriptions].map((s) => s.stop()));
      await this.sending;
      await this.producer.disconnect();
      await this.admin.disconnect();
    })();
    closing.catch(() => undefined);
    const budget = this.stopBudget.stepMs();
    await withinMs(closing, budget, () => new Error(`Kafka did not close within ${budget} ms more (no broker answers): its connections are left behind`)).catch((error: unknown) =>
      this.options.logger?.warn(error instanceof Error ? error.message : String(error), { brokers: this.options.brokers.join(',') }),
    );
  }


  /**
   * Hands one record to the handler until it resolves or the record is parked; false if the consumer stopped
   * first (offset not resolved). Parking that fails is retried too: a record is never passed over unparked.
   */
  private async deliver(
    options: BusSubscriptionOptions,
    topic: string,
    partition: number,
    message: KafkaMessage,
    consumer: { heartbeat: () => Promise<void>; isRunning: () => boolean },
  ): Promise<boolean> {
    const parked = this.options.parked;
    if (!parked) return this.deliverUntilHandled(options, topic, partition, message, consumer);
    const delivery: BusDelivery = { pause: (ms) => pauseWhileBeating(ms, consumer) };
    const retries = new RetryThenPark({
      consumer: options.groupId,
      parked,
      policy: this.options.retry ?? DEFAULT_RETRY_POLICY,
      sleep: (ms) => pauseWhileBeating(ms, consumer),
      stopping: () => !consumer.isRunning(),
      logger: this.options.logger,
    });
    for (let round = 1; ; round += 1) {
      try {
        let event: RecordedEvent;
        try {
          event = eventOfRecord(options, topic, partition, message);
        } catch (error) {
          // No handler can ever read it: parked at once, with the raw value for the operator.
          await this.parkUnreadable(parked, options.groupId, topic, partition, message, error);
          return true;
        }
        await withConsumerSpan(event, topic, options.groupId, () => retries.handle(event, (e) => options.handler(e, topic, delivery), topic));
        return true;
      } catch (error) {
        if (!consumer.isRunning()) return false;
        const delay = backoffDelayMs(this.options.retry ?? DEFAULT_RETRY_POLICY, round);
        this.options.logger?.error(`kafka consumer ${options.groupId} could not park a record, tries again`, {
          topic,
          offset: message.offset,
          error: error instanceof Error ? error.message : String(error),
          retryInMs: delay,
        });
        await pauseWhileBeating(delay, consumer);
        if (!consumer.isRunning()) return false;
      }
    }
  }

  private async parkUnreadable(
    parked: ParkedEventStore,
    groupId: string,
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
  ): Promise<void> {
    const id = `kafka-${topic}-${partition}-${message.offset}`;
    const now = new Date().toISOString();
    await parked.park({
      id: parkedEventIdOf(groupId, id),
      consumer: groupId,
      topic,
      event: {
        id,
        type: UNREADABLE_RECORD_TYPE,
        schemaVersion: 1,
        data: { partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null },
        metadata: { account: '', tenant: null, correlationId: id, causationId: null, actor: { type: 'system', id: 'kafka' }, occurredAt: now },
        stream: '',
        revision: -1,
        position: -1,
      },
      error: error instanceof Error ? error.message : String(error),
      attempts: 1,
      parkedAt: now,
    });
    this.options.logger?.error(`kafka consumer ${groupId} parked a record that is no event`, { topic, partition, offset: message.offset });
  }

  /** Without a parked-event store: hands one record to the handler until it resolves; false if the consumer stopped first. */
  private async deliverUntilHandled(
    options: BusSubscriptionOptions,
    topic: string,
    partition: number,
    message: KafkaMessage,
    consumer: { heartbeat: () => Promise<void>; isRunning: () => boolean },
  ): Promise<boolean> {
    let delay = this.options.retryInitialDelayMs ?? 100;
    const maxDelay = this.options.retryMaxDelayMs ?? 10_000;
    const delivery: BusDelivery = { pause: (ms) => pauseWhileBeating(ms, consumer) };
    for (;;) {
      try {
        await options.handler(eventOfRecord(options, topic, partition, message), topic, delivery);
        return true;
      } catch (error) {
        if (!consumer.isRunning()) return false;
        this.options.logger?.warn(`kafka consumer ${options.groupId} retries a record`, {
          topic,
          offset: message.offset,
          error: error instanceof Error ? error.message : String(error),
          retryInMs: delay,
        });
        await pauseWhileBeating(delay, consumer);
        if (!consumer.isRunning()) return false;
        delay = Math.min(delay * 2, maxDelay);
      }
    }
  }

  private async ensureTopics(topics: readonly string[]): Promise<void> {
    const missing = topics.filter((topic) => !this.ensuredTopics.has(topic));
    if (missing.length === 0) return;
    // Subscribers and the relay start together: one creation per topic in flight, the others wait for it.
    const fresh = missing.filter((topic) => !this.ensuring.has(topic));
    if (fresh.length > 0) {
      const creation = this.createAbsent(fresh).finally(() => fresh.forEach((topic) => this.ensuring.delete(topic)));
      for (const topic of fresh) this.ensuring.set(topic, creation);
    }
    await Promise.all(missing.map((topic) => this.ensuring.get(topic)));
  }

  private async createAbsent(topics: readonly string[]): Promise<void> {
    this.topicDefaults ??= this.brokerTopicDefaults();
    const { numPartitions, replicationFactor } = await this.topicDefaults.catch((error: unknown) => {
      this.topicDefaults = null;
      throw error;
    });
    // Only topics the cluster lacks: asking to create an existing one makes kafkajs log "Topic creation errors".
    const existing = new Set(await this.admin.listTopics());
    const absent = topics.filter((topic) => !existing.has(topic));
    if (absent.length > 0) {
      // A loaded broker can take longer than kafkajs's 5 s default; its leaders are awaited below, for every topic.
      const creation = { waitForLeaders: false, timeout: TOPIC_READY_TIMEOUT_MS, topics: absent.map((topic) => ({ topic, numPartitions, replicationFactor })) };
      await this.admin.createTopics(creation).catch((error: unknown) => {
        // Another process created them between the list and the create: they exist, which is all we asked.
        if (!isTopicAlreadyExists(error)) throw error;
      });
    }
    // Listed or just created is not yet served: another process's creation, or ours, may still await its leaders.
    await this.untilLeadersServe(topics);
    for (const topic of topics) this.ensuredTopics.add(topic);
  }

  /** Until the broker's metadata names a leader for every partition of `topics` (a fresh topic has none for a while). */
  private async untilLeadersServe(topics: readonly string[]): Promise<void> {
    const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      const waiting = await this.topicsWithoutLeaders(topics).catch((error: unknown) => {
        if (!isRetriable(error)) throw error;
        return [...topics];
      });
      if (waiting.length === 0) return;
      if (this.closing) throw new Error(`Kafka bus closed while topics awaited their partition leaders: ${waiting.join(', ')}`);
      if (Date.now() > deadline) throw new Error(`Kafka topics without partition leaders after ${TOPIC_READY_TIMEOUT_MS} ms: ${waiting.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async topicsWithoutLeaders(topics: readonly string[]): Promise<string[]> {
    const { topics: described } = await this.admin.fetchTopicMetadata({ topics: [...topics] });
    const served = new Set(
      described
        .filter(({ partitions }) => partitions.length > 0 && partitions.every((p) => p.partitionErrorCode === 0 && p.leader >= 0))
        .map(({ name }) => name),
    );
    return topics.filter((topic) => !served.has(topic));
  }

  /** The options, else the broker's own defaults (kafkajs speaks CreateTopics v3, which cannot ask for them with -1). */
  private async brokerTopicDefaults(): Promise<{ numPartitions: number; replicationFactor: number }> {
    const { topicPartitions, replicationFactor } = this.options;
    if (topicPartitions !== undefined && replicationFactor !== undefined) return { numPartitions: topicPartitions, replicationFactor };
    const { brokers } = await this.admin.describeCluster();
    const { resources } = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: String(brokers[0].nodeId), configNames: ['num.partitions', 'default.replication.factor'] }],
    });
    const entry = (name: string) => Number(resources[0]?.configEntries.find((e) => e.configName === name)?.configValue ?? 1);
    return {
      numPartitions: topicPartitions ?? entry('num.partitions'),
      replicationFactor: replicationFactor ?? Math.min(entry('default.replication.factor'), brokers.length),
    };
  }
}

function* chunksBySize<T extends { readonly value: string }>(messages: readonly T[]): Generator<T[]> {
  let chunk: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(message.value);
    if (chunk.length > 0 && bytes + size > MAX_SEND_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

/** Waits between handler retries while keeping the group membership alive (heartbeats every second). */
async function pauseWhileBeating(ms: number, consumer: { heartbeat: () => Promise<void>; isRunning: () => boolean }): Promise<void> {
  const until = Date.now() + ms;
  while (consumer.isRunning() && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, until - Date.now())));
    await consumer.heartbeat();
  }
}

/** The promise's outcome, or `timedOut()`'s error once `ms` passed first (the promise itself goes on). */
function withinMs<T>(promise: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
    timer.unref?.();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** A wait of `ms` that `wake()` ends early (a close, a stopped subscription). */
function wakeablePause(ms: number): { done: Promise<void>; wake: () => void } {
  let wake = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, wake };
}

/** An envelope, or, on a topic of foreign records, any JSON object wrapped as one. */
function eventOfRecord(options: BusSubscriptionOptions, topic: string, partition: number, message: KafkaMessage): RecordedEvent {
  if (options.foreignRecordType === undefined) return recordedEventOf(message.value);
  return foreignRecordOf(message.value, options.foreignRecordType, { topic, partition, offset: message.offset, timestamp: message.timestamp });
}

/** kafkajs's own judgement of an error (its cause's, when retries ran out): worth trying again. */
function isRetriable(error: unknown): boolean {
  const { name, retriable, cause } = (error ?? {}) as { name?: unknown; retriable?: unknown; cause?: unknown };
  if (name === 'KafkaJSNumberOfRetriesExceeded' && cause !== undefined) return isRetriable(cause);
  return retriable === true;
}

/** kafkajs's answer when every topic asked for exists already (an aggregate of per-topic errors, or one of them). */
function isTopicAlreadyExists(error: unknown): boolean {
  const { type, errors } = error as { type?: unknown; errors?: unknown };
  if (Array.isArray(errors) && errors.length > 0) return errors.every((each) => (each as { type?: unknown }).type === 'TOPIC_ALREADY_EXISTS');
  return type === 'TOPIC_ALREADY_EXISTS';
}
