import {
  CHECKPOINT_STORE,
  CLOCK,
  EVENT_BUS,
  EVENT_STORE,
  InProcessEventBus,
  PARKED_EVENT_STORE,
  PROJECTION_REGISTRY,
  READ_MODEL_STORE,
  type BusFollowedProjection,
  type BusFollowedProjectionDependencies,
  type CheckpointStore,
  type Clock,
  type EventBus,
  type EventStore,
  type FollowedDependencies,
  type FollowedReactor,
  type ParkedEventStore,
  type ProjectionRegistry,
  type ReadModelStore,
  type RetryPolicy,
} from '@as2-partners/kernel';
import { EVENT_STORE_CHECKPOINTS, FOLLOWER_RETRY_POLICY } from './event-sourcing.tokens';
import { registeredFollowerProvider } from './registered-follower-provider';

/**
 * Provides a consumer of other services' events (a bus-fed read model whose constructor takes the consumer's
 * dependencies, then what it applies with) with the process's bus, read-model store, parked-event store and retry
 * policy, logging under `loggerName`, and registers it: ProjectionLifecycle subscribes it before any relay publishes,
 * `rebuild-read-models` rebuilds it and parked events are replayed through it. `inject` lists the tokens of the
 * constructor's further arguments. With the in-process bus, every source's events are in this process's store: a
 * first start (a new or set-aside read-model file) catches up there on those the relays published before (on the
 * topics they name), the bus brings the rest, no copy of consumed events is kept and a rebuild replays that store.
 * With Kafka, the consumer keeps a copy of what it consumed and a rebuild replays the copy.
 */
export const provideBusFollowedProjection = registeredFollowerProvider<BusFollowedProjection, BusFollowedProjectionDependencies>(
  [EVENT_BUS, READ_MODEL_STORE, PARKED_EVENT_STORE, FOLLOWER_RETRY_POLICY, EVENT_STORE, PROJECTION_REGISTRY, CHECKPOINT_STORE],
  ([bus, readModels, parked, retry, store, registry, checkpoints], logger) => ({
    bus: bus as EventBus,
    readModels: readModels as ReadModelStore,
    parked: parked as ParkedEventStore,
    retry: retry as RetryPolicy,
    logger,
    ...(bus instanceof InProcessEventBus
      ? {
          // Only what the relays published before this start: the rest the bus brings, with its effects.
          history: { store: store as EventStore, carried: () => (registry as ProjectionRegistry).carried() },
          // how far each consumer got, saved with its writes (the read models' checkpoints)
          consumedPositions: checkpoints as CheckpointStore,
        }
      : {}),
  }),
  (registry, projection) => registry.register(projection),
);

/**
 * Provides a reactor to the service's own events (a FollowedReactor whose constructor takes the follower's dependencies,
 * then what it reacts with) with the process's event store, a checkpoint kept beside the events, the parked-event store
 * and the clock, and registers it: ProjectionLifecycle starts it on bootstrap (never for one-shot commands) and stops it
 * at shutdown, its parked events are replayed through it and its lag is monitored.
 */
export const provideFollowedReactor = registeredFollowerProvider<FollowedReactor, FollowedDependencies>(
  [EVENT_STORE, EVENT_STORE_CHECKPOINTS, PARKED_EVENT_STORE, CLOCK],
  ([store, checkpoints, parked, clock], logger) => ({ store: store as EventStore, checkpoints: checkpoints as CheckpointStore, parked: parked as ParkedEventStore, clock: clock as Clock, logger }),
  (registry, reactor) => registry.registerReactor(reactor),
);
