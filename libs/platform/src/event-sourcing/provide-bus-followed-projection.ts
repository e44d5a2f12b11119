import { Logger, type FactoryProvider, type InjectionToken } from '@nestjs/common';
import {
  EVENT_BUS,
  PARKED_EVENT_STORE,
  PROJECTION_REGISTRY,
  READ_MODEL_STORE,
  type BusFollowedProjection,
  type BusFollowedProjectionDependencies,
  type EventBus,
  type ParkedEventStore,
  type ProjectionRegistry,
  type ReadModelStore,
  type RetryPolicy,
} from '@as2-partners/kernel';
import { FOLLOWER_RETRY_POLICY } from './event-sourcing.tokens';
import { followerLoggerOf } from './follower-logger';

/** A bus-fed read model class as every service writes one: the consumer's dependencies, then what it applies with. */
export type BusFollowedProjectionClass<P extends BusFollowedProjection, Extra extends unknown[]> = new (
  followed: BusFollowedProjectionDependencies,
  ...extra: Extra
) => P;

/**
 * Provides a consumer of other services' events with the process's bus, read-model store, parked-event store and
 * retry policy, logging under `loggerName`, and registers it: ProjectionLifecycle subscribes it before any relay
 * publishes, `rebuild-read-models` replays its copy and parked events are replayed through it. `inject` lists the
 * tokens of the constructor's further arguments.
 */
export function provideBusFollowedProjection<P extends BusFollowedProjection, Extra extends unknown[]>(
  projection: BusFollowedProjectionClass<P, Extra>,
  loggerName: string,
  inject: InjectionToken[] = [],
): FactoryProvider<P> {
  const logger = new Logger(loggerName);
  return {
    provide: projection,
    inject: [EVENT_BUS, READ_MODEL_STORE, PARKED_EVENT_STORE, FOLLOWER_RETRY_POLICY, PROJECTION_REGISTRY, ...inject],
    useFactory: (bus: EventBus, readModels: ReadModelStore, parked: ParkedEventStore, retry: RetryPolicy, registry: ProjectionRegistry, ...extra: unknown[]) => {
      const instance = new projection({ bus, readModels, parked, retry, logger: followerLoggerOf(logger) }, ...(extra as Extra));
      registry.register(instance);
      return instance;
    },
  };
}
