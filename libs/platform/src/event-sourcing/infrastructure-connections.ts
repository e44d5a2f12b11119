import type { CheckpointStore, EventBus, EventStore, ParkedEventStore, ReadModelStore, SecretStore } from '@as2-partners/kernel';
import type { PlatformConfig } from '../config/platform-config';

export interface ReadinessProbe {
  /** Shown in /health/ready: `eventStore`, `readModelStore`, `kafka`. */
  readonly name: string;
  readonly ping: () => Promise<void>;
  /**
   * false: the pod still serves while this connection is down (it is reported as degraded, not unready). Kafka is
   * such a connection: writes land in the event store, which is the outbox, and are published once the broker is back.
   */
  readonly affectsReadiness?: boolean;
  /**
   * Why only a restart of the process brings this connection back, or null (most outages pass by themselves): then
   * /health/live fails too, so a supervisor restarts the process instead of leaving it unready for good.
   */
  readonly restartNeeded?: () => string | null;
}

/** The open connections of one process, and the probes that say whether they still answer. */
export interface InfrastructureConnections {
  readonly eventStore: EventStore;
  readonly eventStoreCheckpoints: CheckpointStore;
  readonly readModels: ReadModelStore;
  readonly projectionCheckpoints: CheckpointStore;
  /** Where followers park the events they keep failing on, kept with the read models. */
  readonly parkedEvents: ParkedEventStore;
  /** Key material found nowhere in the events: never among the read models a repair throws away. */
  readonly secrets: SecretStore;
  readonly bus: EventBus;
  readonly probes: readonly ReadinessProbe[];
  /**
   * Why the write models store no decision now, or null: the embedded read store once it can no longer follow (a failed
   * commit, its file removed while open), the secret file removed while open, so a command is refused 503 before it is
   * stored instead of stored and then answered from a view that no longer follows, or with secrets the restart loses.
   * Records that are no decision (blocked messages) are stored still.
   */
  readonly decisionRefusal?: () => Error | null;
  /**
   * Why the views may not hold what their followers reached, or null: the embedded read store after a failed commit
   * (the documents rolled back, the followers' positions past them until a restart). A write decided before it is
   * answered from what was decided (202), not from a view that lost it.
   */
  readonly viewsRefusal?: () => Error | null;
  close(): Promise<void>;
}

/** What a process opens its connections for, when it is not to serve from the read models as they are. */
export interface OpenPurpose {
  /** The rebuild command: every read model is replayed from the event store, whatever position its followers saved. */
  readonly rebuildsReadModels?: boolean;
}

/** Opens the adapters a mode calls for; the composition layer provides it, so the platform reaches no adapter. */
export type OpenInfrastructure = (config: PlatformConfig, kafkaClientId: string, purpose?: OpenPurpose) => Promise<InfrastructureConnections>;
