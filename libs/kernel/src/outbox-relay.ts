import { PositionWaiters } from './position-waiters';
import type { CheckpointStore } from './checkpoint-store.port';
import type { Clock } from './clock';
import { secondsSince, storeLag, type FollowerLag } from './follower-lag';
import type { FollowerLogger } from './checkpointed-follower';
import type { RecordedEvent } from './event-envelope';
import type { EventBus, PublishedPositions } from './event-bus.port';
import type { EventStore, Subscription } from './event-store.port';

export interface OutboxRelayOptions {
  /** Checkpoint name, e.g. `outbox:partner-registry`. */
  readonly name: string;
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly bus: EventBus;
  /** The topic an event is published to, or null to pass it over (its position still advances). */
  readonly topicFor: (event: RecordedEvent) => string | null;
  /** Most events handed to the bus at once. Default 500. */
  readonly batchSize?: number;
  /** Retry delays for a failing publish: doubles from initial to max, forever (never skips an event). */
  readonly retryInitialDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  /** How long `stop()` waits for a publish already handed to the bus. Default 10 s. */
  readonly stopGraceMs?: number;
  /** How long the relay waits, once per topic after a start, for the bus to tell what of the topic it holds. Default 3 s. */
  readonly publishedPositionsTimeoutMs?: number;
  readonly logger?: FollowerLogger;
  readonly clock?: Clock;
  /**
   * Resolves once what the bus's subscribers wrote for the events acknowledged so far would survive a crash (the
   * in-process bus: its consumers' read-store writes committed, ReadModelStore.committed): the checkpoint is saved only
   * then, so a crash never leaves it past events whose effects were lost (they are published again instead).
   */
  readonly durable?: () => Promise<void>;
}

/** Per partition of a topic, the highest position of this store's events already on it, past the start checkpoint. */
interface AlreadyPublished {
  readonly partitionOf: PublishedPositions['partitionOf'];
  readonly upTo: ReadonlyMap<number, number>;
  readonly highest: number;
}

/**
 * Publishes the event store to the bus without a dual write: the store is the outbox. The relay follows the
 * store from its checkpoint, hands events to the bus in batches, and saves the checkpoint only after the bus
 * acknowledged every event up to it. A failing publish is retried with backoff, never skipped. After a crash
 * between the bus's acknowledgement and the checkpoint's save, the restarted relay asks the bus what of its store
 * each partition already holds (`EventBus.publishedPositions`) and skips those events, so each is on the topic once;
 * a bus that cannot tell leaves it at least once (consumers are idempotent).
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private subscription: Subscription | null = null;
  private pump: Promise<void> | null = null;
  private buffer: RecordedEvent[] = [];
  /** Last position handed over by the store subscription. */
  private received: number | null = null;
  /** Every event up to here is acknowledged by the bus (or passed over). */
  private acknowledged: number | null = null;
  private saved: number | null = null;
  /** The checkpoint save running in the background, if any: one at a time, so saves land in position order. */
  private saving: Promise<void> | null = null;
  private running = false;
  private abandoned = false;
  private wakePump: (() => void) | null = null;
  private roomWaiters: (() => void)[] = [];
  private readonly positionWaiters = new PositionWaiters();
  private readonly sleepers = new Set<() => void>();
  private lastError: string | null = null;
  /** Since when the batch in hand keeps failing to publish (a broker outage). */
  private failingSince: Date | null = null;
  /** Counts starts, so a pump abandoned by an earlier stop() never touches the state of a later run. */
  private generation = 0;
  /** The checkpoint this run started from. */
  private startedAfter: number | null = null;
  /** Per topic, asked once per run before its first publish: what the bus already holds past the checkpoint (null: nothing to skip). */
  private alreadyPublished = new Map<string, Promise<AlreadyPublished | null>>();

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${this.batchSize}`);
  }

  /** Position of the last event the bus acknowledged (or the relay passed over). */
  get position(): number | null {
    return this.acknowledged;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`OutboxRelay ${this.options.name} is already running`);
    const checkpoint = await this.options.checkpoints.load(this.options.name);
    this.received = checkpoint;
    this.acknowledged = checkpoint;
    this.saved = checkpoint;
    this.startedAfter = checkpoint;
    this.alreadyPublished = new Map();
    this.buffer = [];
    this.abandoned = false;
    this.running = true;
    this.generation += 1;
    this.subscribe();
    this.pump = this.runPump(this.generation).catch((error: unknown) =>
      // Only a throwing topicFor gets here: a bug, so the relay halts rather than skip events.
      this.options.logger?.error(`outbox relay ${this.options.name} halted`, { error: errorText(error), position: this.acknowledged }),
    );
  }

  /** Stops following the store; waits (up to stopGraceMs) for a publish in flight, then saves the checkpoint. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.releaseRoom();
    this.wakePump?.();
    for (const wake of this.sleepers) wake();
    await this.subscription?.stop();
    this.subscription = null;
    const grace = this.options.stopGraceMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      this.pump?.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), grace))),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.abandoned = true;
      this.options.logger?.warn(`outbox relay ${this.options.name} stopped while a publish was still in flight`, { position: this.acknowledged });
    }
    this.pump = null;
    await this.saving;
    await this.saveCheckpoint();
  }

  get name(): string {
    return this.options.name;
  }

  /** The topic this relay publishes `event` to, null if it passes it over. */
  topicFor(event: RecordedEvent): string | null {
    return this.options.topicFor(event);
  }

  /** The saved checkpoint: every event up to it was published (and is not published again), whether or not this runs. */
  publishedThrough(): Promise<number | null> {
    return this.options.checkpoints.load(this.options.name);
  }

  /** How far the bus is behind the store, and what last failed: for health and metrics. Relays park nothing. */
  async lag(): Promise<FollowerLag> {
    const position = this.acknowledged;
    const now = this.now();
    const behind = await storeLag(this.options.store, position, now);
    return {
      name: this.options.name,
      running: this.running,
      position,
      ...behind,
      lastError: this.lastError,
      parked: 0,
      stalledSeconds: this.running ? secondsSince(this.failingSince, now) : 0,
    };
  }

  private now(): Date {
    return this.options.clock?.now() ?? new Date();
  }

  /** Resolves once every event up to `position` is acknowledged by the bus; rejects after `timeoutMs`. */
  waitFor(position: number, timeoutMs = 5000): Promise<void> {
    return this.positionWaiters.waitFor(position, this.acknowledged, timeoutMs, `outbox relay ${this.options.name}`);
  }

  private subscribe(): void {
    this.subscription = this.options.store.subscribeToAll({
      after: this.received,
      onEvent: (event) => this.enqueue([event]),
      // A store that reads in pages hands each read over at once: one call, not one per event.
      onBatch: (events) => this.enqueue(events),
      onError: (error) => this.resubscribeAfter(error),
    });
  }

  /** The store subscription failed: follow again from the last event received, after a pause. */
  private resubscribeAfter(error: unknown): void {
    this.options.logger?.error(`outbox relay ${this.options.name} lost its store subscription`, { error: errorText(error) });
    const timer = setTimeout(() => {
      if (this.running) this.subscribe();
    }, this.options.retryInitialDelayMs ?? 100);
    timer.unref?.();
  }

  /** Buffers events for the pump; the store waits when the buffer holds two batches (backpressure). */
  private enqueue(events: readonly RecordedEvent[]): Promise<void> {
    if (!this.running) return Promise.resolve();
    const buffered = this.buffer.length;
    for (const event of events) {
      if (this.received !== null && event.position <= this.received) continue;
      this.buffer.push(event);
      this.received = event.position;
    }
    if (this.buffer.length > buffered) this.wakePump?.();
    if (this.buffer.length < this.batchSize * 2) return Promise.resolve();
    return new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  private async runPump(generation: number): Promise<void> {
    const current = () => this.running && generation === this.generation;
    while (current()) {
      if (this.buffer.length === 0) {
        await new Promise<void>((resolve) => (this.wakePump = resolve));
        this.wakePump = null;
        continue;
      }
      // One turn of the event loop lets a catching-up subscription fill the batch.
      if (this.buffer.length < this.batchSize) await new Promise((resolve) => setImmediate(resolve));
      const batch = this.buffer.splice(0, this.batchSize);
      if (this.buffer.length < this.batchSize * 2) this.releaseRoom();
      if (!(await this.publishBatch(batch, current)) || generation !== this.generation) return;
      this.acknowledged = batch[batch.length - 1].position;
      this.releasePositionWaiters();
      if (!this.abandoned) this.saveInBackground();
    }
  }

  /**
   * Saves the acknowledged position without holding the pump: a save is a commit (an fsync with a durable store), and
   * the next batch, whose callers may be waiting for it to be delivered, need not wait for it. Saves run one at a time;
   * one that fails is left to the next batch.
   */
  private saveInBackground(): void {
    if (this.saving) return;
    this.saving = (async () => {
      while (this.acknowledged !== this.saved && !this.abandoned) {
        if (!(await this.saveCheckpoint())) return;
      }
    })().finally(() => (this.saving = null));
  }

  /** Publishes a batch, one call per topic; true once the bus acknowledged all of it, false if stopped first. */
  private async publishBatch(batch: readonly RecordedEvent[], current: () => boolean): Promise<boolean> {
    const byTopic = new Map<string, RecordedEvent[]>();
    for (const event of batch) {
      const topic = this.options.topicFor(event);
      if (topic === null) continue;
      const events = byTopic.get(topic) ?? [];
      events.push(event);
      byTopic.set(topic, events);
    }
    const outcomes = await Promise.all(
      [...byTopic].map(async ([topic, events]) => {
        const unpublished = await this.notYetPublished(topic, events);
        return unpublished.length === 0 || this.publishWithRetry(topic, unpublished, current);
      }),
    );
    return outcomes.every(Boolean);
  }

  /**
   * The events of a batch the bus does not hold yet. Events reach each partition in position order, one batch at a
   * time, so an event is on the topic exactly when its partition holds one of this store's events at its position or later.
   */
  private async notYetPublished(topic: string, events: readonly RecordedEvent[]): Promise<readonly RecordedEvent[]> {
    // This run's answers: a pump abandoned by an earlier stop() never writes into a later run's.
    const answers = this.alreadyPublished;
    let asked = answers.get(topic);
    if (!asked) {
      asked = this.askBus(topic);
      answers.set(topic, asked);
    }
    const published = await asked;
    if (!published) return events;
    const unpublished = events.filter((event) => event.position > (published.upTo.get(published.partitionOf(event)) ?? -Infinity));
    if (unpublished.length < events.length) {
      this.options.logger?.warn(`outbox relay ${this.options.name} skips events already on ${topic}: published before a crash, past the saved checkpoint`, {
        topic,
        skipped: events.length - unpublished.length,
        fromPosition: events[0].position,
        toPosition: events[events.length - 1].position,
      });
    }
    // Past the highest event found on the topic nothing more can be there: later batches are published as they come.
    if (events[events.length - 1].position >= published.highest) answers.set(topic, Promise.resolve(null));
    return unpublished;
  }

  /** Asks the bus, within a bound, what of this store the topic holds past the checkpoint; null when nothing (or it cannot tell). */
  private async askBus(topic: string): Promise<AlreadyPublished | null> {
    const bus = this.options.bus;
    if (!bus.publishedPositions) return null;
    const timeoutMs = this.options.publishedPositionsTimeoutMs ?? 3000;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.readAlreadyPublished(topic, bus.publishedPositions.bind(bus)),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
      ]);
    } catch (error) {
      this.options.logger?.warn(
        `outbox relay ${this.options.name} could not read what ${topic} already holds: publishes from its checkpoint, so events acknowledged before a crash may be published twice (at-least-once)`,
        { topic, checkpoint: this.startedAfter, error: errorText(error) },
      );
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  private async readAlreadyPublished(topic: string, publishedPositions: (topic: string) => Promise<PublishedPositions>): Promise<AlreadyPublished | null> {
    const found = await publishedPositions(topic);
    const upTo = new Map<number, number>();
    for (const [partition, latest] of found.latest) {
      if (this.startedAfter !== null && latest.position <= this.startedAfter) continue;
      // Only this store's own event at that position counts: a topic kept across a new store holds another store's positions.
      const [stored] = await this.options.store.readAll({ after: latest.position - 1, maxCount: 1 });
      if (stored?.position !== latest.position || stored.id !== latest.id) {
        this.options.logger?.warn(`outbox relay ${this.options.name} found on ${topic} an event its store does not hold at that position: publishes that partition from its checkpoint`, {
          topic,
          partition,
          eventId: latest.id,
          position: latest.position,
        });
        continue;
      }
      upTo.set(partition, latest.position);
    }
    if (upTo.size === 0) return null;
    return { partitionOf: (event) => found.partitionOf(event), upTo, highest: Math.max(...upTo.values()) };
  }

  private async publishWithRetry(topic: string, events: readonly RecordedEvent[], current: () => boolean): Promise<boolean> {
    let delay = this.options.retryInitialDelayMs ?? 100;
    const maxDelay = this.options.retryMaxDelayMs ?? 10_000;
    for (;;) {
      try {
        await this.options.bus.publish(topic, events);
        this.lastError = null;
        this.failingSince = null;
        return true;
      } catch (error) {
        if (!current()) return false;
        this.lastError = errorText(error);
        this.failingSince ??= this.now();
        this.options.logger?.warn(`outbox relay ${this.options.name} retries a publish`, {
          topic,
          fromPosition: events[0].position,
          toPosition: events[events.length - 1].position,
          error: errorText(error),
          retryInMs: delay,
        });
        await this.sleep(delay);
        if (!current()) return false;
        delay = Math.min(delay * 2, maxDelay);
      }
    }
  }

  /** A pause that stop() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /** False when the save failed. */
  private async saveCheckpoint(): Promise<boolean> {
    const position = this.acknowledged;
    if (position === null || position === this.saved) return true;
    try {
      // without `durable` the save begins at once, as the acknowledgement released the waiters
      if (this.options.durable) await this.options.durable();
      await this.options.checkpoints.save(this.options.name, position);
      this.saved = position;
      return true;
    } catch (error) {
      // Not fatal: the next batch saves a later position; a crash before that only means re-publishing.
      this.options.logger?.error(`outbox relay ${this.options.name} could not save its checkpoint`, { position, error: errorText(error) });
      return false;
    }
  }

  private releaseRoom(): void {
    const waiting = this.roomWaiters;
    this.roomWaiters = [];
    for (const resolve of waiting) resolve();
  }

  private releasePositionWaiters(): void {
    this.positionWaiters.release(this.acknowledged ?? -1);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
