import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import {
  CHECKPOINT_STORE,
  CLOCK,
  EVENT_BUS,
  EVENT_STORE,
  PARKED_EVENT_STORE,
  PROJECTION_REGISTRY,
  ProjectionRegistry,
  READ_MODEL_STORE,
  SECRET_STORE,
  systemClock,
} from '@as2-partners/kernel';
import type { PlatformConfig } from '../config/platform-config';
import type { EventSourcingOptions } from './event-sourcing-options';
import { EVENT_SOURCING_OPTIONS, EVENT_STORE_CHECKPOINTS, FOLLOWER_RETRY_POLICY, INFRASTRUCTURE } from './event-sourcing.tokens';
import type { InfrastructureConnections } from './infrastructure-connections';
import { ProjectionLifecycle } from './projection-lifecycle';
import { PlatformMetrics } from '../observability/platform-metrics';
import { timedEventStore } from '../observability/timed-event-store';

/** Closes the connections after projections and relays stopped (they stop in beforeApplicationShutdown). */
@Injectable()
class InfrastructureCloser implements OnApplicationShutdown {
  private readonly logger = new Logger('EventSourcing');

  constructor(@Inject(INFRASTRUCTURE) private readonly infrastructure: InfrastructureConnections) {}

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.infrastructure.close();
    } catch (error) {
      this.logger.error(`Closing connections failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function fromInfrastructure<T>(token: symbol, pick: (infrastructure: InfrastructureConnections) => T): Provider {
  return { provide: token, useFactory: pick, inject: [INFRASTRUCTURE] };
}

/**
 * Provides the kernel ports for the configured mode: EVENT_STORE, CHECKPOINT_STORE (projection checkpoints,
 * kept with the read models), PARKED_EVENT_STORE (beside them), READ_MODEL_STORE, SECRET_STORE, EVENT_BUS, CLOCK and PROJECTION_REGISTRY. Registered
 * projections start on application bootstrap and stop on shutdown; connections close last.
 */
@Module({})
export class EventSourcingModule {
  static forRoot(config: PlatformConfig, options: EventSourcingOptions, metrics: PlatformMetrics = new PlatformMetrics()): DynamicModule {
    const tokens = [PlatformMetrics, EVENT_STORE, CHECKPOINT_STORE, PARKED_EVENT_STORE, READ_MODEL_STORE, SECRET_STORE, EVENT_BUS, CLOCK, PROJECTION_REGISTRY, EVENT_STORE_CHECKPOINTS, INFRASTRUCTURE, EVENT_SOURCING_OPTIONS, FOLLOWER_RETRY_POLICY];
    return {
      module: EventSourcingModule,
      global: true,
      providers: [
        { provide: EVENT_SOURCING_OPTIONS, useValue: options },
        { provide: FOLLOWER_RETRY_POLICY, useValue: config.followerRetry },
        { provide: INFRASTRUCTURE, useFactory: () => options.openInfrastructure(config, options.kafkaClientId ?? 'as2-partners', { rebuildsReadModels: options.rebuildsReadModels === true }) },
        { provide: PlatformMetrics, useValue: metrics },
        fromInfrastructure(EVENT_STORE, (i) => timedEventStore(i.eventStore, metrics)),
        fromInfrastructure(EVENT_STORE_CHECKPOINTS, (i) => i.eventStoreCheckpoints),
        fromInfrastructure(READ_MODEL_STORE, (i) => i.readModels),
        fromInfrastructure(SECRET_STORE, (i) => i.secrets),
        fromInfrastructure(CHECKPOINT_STORE, (i) => i.projectionCheckpoints),
        fromInfrastructure(PARKED_EVENT_STORE, (i) => i.parkedEvents),
        fromInfrastructure(EVENT_BUS, (i) => i.bus),
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: PROJECTION_REGISTRY, useFactory: () => new ProjectionRegistry() },
        ProjectionLifecycle,
        InfrastructureCloser,
      ],
      exports: tokens,
    };
  }
}
