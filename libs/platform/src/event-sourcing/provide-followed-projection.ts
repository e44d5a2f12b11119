import { Logger, type FactoryProvider, type Type } from '@nestjs/common';
import {
  CHECKPOINT_STORE,
  EVENT_STORE,
  PARKED_EVENT_STORE,
  PROJECTION_REGISTRY,
  READ_MODEL_STORE,
  type CheckpointStore,
  type EventStore,
  type FollowedProjection,
  type FollowedProjectionDependencies,
  type ParkedEventStore,
  type ProjectionRegistry,
  type ReadModelStore,
  type RetryPolicy,
} from '@as2-partners/kernel';
import { FOLLOWER_RETRY_POLICY } from './event-sourcing.tokens';
import { followerLoggerOf } from './follower-logger';

/** A store-fed projection class as every service writes one: the follower's dependencies, then the read models. */
export type FollowedProjectionClass<P extends FollowedProjection> = Type<P> & (new (followed: FollowedProjectionDependencies, readModels: ReadModelStore) => P);

/**
 * Provides a service's store-fed projection with the process's stores, parked-event store and retry policy, logging
 * under `loggerName`, and registers it so `rebuild-read-models` and parked-event replays find it.
 */
export function provideFollowedProjection<P extends FollowedProjection>(projection: FollowedProjectionClass<P>, loggerName: string): FactoryProvider<P> {
  const logger = new Logger(loggerName);
  return {
    provide: projection,
    inject: [EVENT_STORE, CHECKPOINT_STORE, PARKED_EVENT_STORE, FOLLOWER_RETRY_POLICY, READ_MODEL_STORE, PROJECTION_REGISTRY],
    useFactory: (store: EventStore, checkpoints: CheckpointStore, parked: ParkedEventStore, retry: RetryPolicy, readModels: ReadModelStore, registry: ProjectionRegistry) => {
      const instance = new projection(
        {
          store,
          checkpoints,
          parked,
          retry,
          logger: followerLoggerOf(logger),
        },
        readModels,
      );
      registry.register(instance);
      return instance;
    },
  };
}
