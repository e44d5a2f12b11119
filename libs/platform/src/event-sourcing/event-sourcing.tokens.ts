/** The event store's own checkpoints: outbox relays keep theirs beside the events they publish. */
export const EVENT_STORE_CHECKPOINTS = Symbol('EventStoreCheckpoints');
/** What the readiness check pings (see InfrastructureConnections). */
export const INFRASTRUCTURE = Symbol('Infrastructure');
export const EVENT_SOURCING_OPTIONS = Symbol('EventSourcingOptions');
/** The RetryPolicy projections and consumers use before parking an event (PlatformConfig.followerRetry). */
export const FOLLOWER_RETRY_POLICY = Symbol('FollowerRetryPolicy');
