import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import {
  categoryOf,
  EVENT_BUS,
  EVENT_STORE,
  InProcessEventBus,
  PROJECTION_REGISTRY,
  READ_MODEL_STORE,
  type ProjectionRegistry,
  type ReadModelStore,
  type Clock,
  CLOCK,
  OutboxRelay,
  topicOf,
  type CheckpointStore,
  type EventBus,
  type EventStore,
  type FollowerLogger,
} from '@as2-partners/kernel';
import type { EventSourcingOptions } from './event-sourcing-options';
import { EVENT_SOURCING_OPTIONS, EVENT_STORE_CHECKPOINTS } from './event-sourcing.tokens';
import { followerLoggerOf } from './follower-logger';

/** A service's relay, started on bootstrap (after bus subscribers subscribed in onModuleInit) and stopped before connections close. */
export class ServiceOutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    readonly relay: OutboxRelay,
    private readonly autoStart: boolean,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.autoStart) await this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

export function outboxRelayToken(service: string): string {
  return `OutboxRelay:${service}`;
}

function followerLogger(name: string): FollowerLogger {
  return followerLoggerOf(new Logger(name));
}

/**
 * For a service module's providers: publishes the events of the service's stream categories to its topic
 * (`topicOf(service)`), with the checkpoint `outbox:<service>` kept in the event store.
 * Inject `outboxRelayToken(service)` to reach the ServiceOutboxRelay.
 */
export function provideOutboxRelay(service: string, categories: readonly string[]): Provider {
  const topic = topicOf(service);
  const published = new Set(categories);
  return {
    provide: outboxRelayToken(service),
    inject: [EVENT_STORE, EVENT_STORE_CHECKPOINTS, EVENT_BUS, EVENT_SOURCING_OPTIONS, PROJECTION_REGISTRY, CLOCK, READ_MODEL_STORE],
    useFactory: (store: EventStore, checkpoints: CheckpointStore, bus: EventBus, options: EventSourcingOptions, registry: ProjectionRegistry, clock: Clock, readModels: ReadModelStore) => {
      // The in-process bus's consumers write into this process's read store: the checkpoint waits for their commit.
      const durable = bus instanceof InProcessEventBus ? readModels.committed?.bind(readModels) : undefined;
      const relay = new OutboxRelay({
        name: `outbox:${service}`,
        store,
        checkpoints,
        bus,
        topicFor: (event) => (published.has(categoryOf(event.stream)) ? topic : null),
        logger: followerLogger(`OutboxRelay:${service}`),
        clock,
        ...(durable ? { durable } : {}),
      });
      registry.registerRelay(relay);
      return new ServiceOutboxRelay(relay, options.startOutboxRelays !== false);
    },
  };
}

/**
 * Lets a command wait until its events reached the bus's subscribers, so a caller that next asks another service
 * sees the change. Only the in-process bus delivers before acknowledging, so only embedded mode waits; with Kafka,
 * consumers are eventually consistent and callers must allow for it.
 */
export class PublicationBarrier {
  private readonly logger = new Logger('PublicationBarrier');

  constructor(
    private readonly relay: ServiceOutboxRelay,
    private readonly waits: boolean,
  ) {}

  async delivered(position: number | null, timeoutMs = 5000): Promise<void> {
    if (!this.waits || position === null) return;
    try {
      await this.relay.relay.waitFor(position, timeoutMs);
    } catch (error) {
      this.logger.warn(`Events up to ${position} not yet delivered: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

export function publicationBarrierToken(service: string): string {
  return `PublicationBarrier:${service}`;
}

/** For a service module's providers, beside provideOutboxRelay(service, …). */
export function providePublicationBarrier(service: string): Provider {
  return {
    provide: publicationBarrierToken(service),
    inject: [outboxRelayToken(service), EVENT_BUS, EVENT_SOURCING_OPTIONS],
    useFactory: (relay: ServiceOutboxRelay, bus: EventBus, options: EventSourcingOptions) =>
      new PublicationBarrier(relay, bus instanceof InProcessEventBus && options.startOutboxRelays !== false),
  };
}
