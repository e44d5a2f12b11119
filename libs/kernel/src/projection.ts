import type { RecordedEvent } from './event-envelope';
import type { FollowerLag, LagReporter } from './follower-lag';
import type { ParkedEvent } from './parked-event-store.port';

/** What a rebuild went through: the events it passed (handled or skipped as not its own), for an events/s figure. */
export interface RebuildOutcome {
  readonly events: number;
}

/** A read model fed by the event store. Registered in the ProjectionRegistry so one command can rebuild all. */
export interface Projection {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Clears the read model and its checkpoint, then replays every event from the store; says how many it passed when it counts them. */
  rebuild(): Promise<RebuildOutcome | void>;
  /** Resolves once the projection has handled every event up to `position` (read-your-writes). */
  waitFor(position: number, timeoutMs?: number): Promise<void>;
  /** Where the projection stands (position, lag, last error, parked count); followers provide it. */
  lag?(): Promise<FollowerLag>;
  /** Applies one of its parked events again and forgets it once applied. */
  replayParked?(entry: ParkedEvent): Promise<void>;
}

/** A follower whose parked events can be applied again: every projection, and reactors that are no read model. */
export interface ParkedEventReplayer {
  readonly name: string;
  replayParked(entry: ParkedEvent): Promise<void>;
  /** Where it stands (a reactor's follower); null while it does not run. */
  lag?(): Promise<FollowerLag | null>;
}

/** A follower with effects (no read model) that runs with the process: started and stopped with the projections. */
export interface Reactor extends ParkedEventReplayer {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** An outbox relay as the registry keeps it: its lag, the topic it publishes an event to, and how far it has published. */
export interface PublishingRelay extends LagReporter {
  topicFor?(event: RecordedEvent): string | null;
  publishedThrough?(): Promise<number | null>;
}

/** One follower of the process as health and metrics see it. */
export interface MonitoredFollower {
  readonly name: string;
  /** `projection` (a read model), `reactor` (a follower with effects), `relay` (the outbox relay to the bus). */
  readonly kind: 'projection' | 'reactor' | 'relay';
  lag(): Promise<FollowerLag | null>;
}

export class ProjectionRegistry {
  private readonly projections = new Map<string, Projection>();
  private readonly replayers = new Map<string, ParkedEventReplayer>();
  private readonly relays = new Map<string, PublishingRelay>();
  private readonly running = new Map<string, Reactor>();

  register(projection: Projection): void {
    if (this.projections.has(projection.name)) throw new Error(`Projection ${projection.name} is registered twice`);
    this.projections.set(projection.name, projection);
  }

  all(): Projection[] {
    return [...this.projections.values()];
  }

  get(name: string): Projection | undefined {
    return this.projections.get(name);
  }

  /** A follower that is no read model (never rebuilt) but whose parked events operators replay. */
  registerReplayer(replayer: ParkedEventReplayer): void {
    if (this.replayers.has(replayer.name) || this.projections.has(replayer.name)) throw new Error(`Follower ${replayer.name} is registered twice`);
    this.replayers.set(replayer.name, replayer);
  }

  /** A reactor: a replayer (parked events, lag) that the platform also starts and stops with the projections. */
  registerReactor(reactor: Reactor): void {
    this.registerReplayer(reactor);
    this.running.set(reactor.name, reactor);
  }

  reactors(): Reactor[] {
    return [...this.running.values()];
  }

  /** An outbox relay, so health and metrics see how far the bus is behind the store. */
  registerRelay(relay: PublishingRelay): void {
    if (this.relays.has(relay.name)) throw new Error(`Relay ${relay.name} is registered twice`);
    this.relays.set(relay.name, relay);
  }

  /**
   * What this process's relays published before now: an event's topic if its relay published it already (null if it
   * has yet to, or none publishes it), and the last position any of them published (null: none yet).
   */
  async carried(): Promise<{ readonly topicOf: (event: RecordedEvent) => string | null; readonly through: number | null }> {
    const relays = [...this.relays.values()];
    const published = await Promise.all(relays.map((relay) => relay.publishedThrough?.() ?? Promise.resolve(null)));
    const through = published.reduce<number | null>((last, at) => (at === null ? last : last === null ? at : Math.max(last, at)), null);
    const topicOf = (event: RecordedEvent): string | null => {
      for (const [i, relay] of relays.entries()) {
        const topic = relay.topicFor?.(event) ?? null;
        if (topic === null) continue;
        const at = published[i] ?? null;
        return at !== null && event.position <= at ? topic : null;
      }
      return null;
    };
    return { topicOf, through };
  }

  /** Every follower that reports where it stands: projections, reactors and relays. */
  monitored(): MonitoredFollower[] {
    const followers: MonitoredFollower[] = [];
    for (const projection of this.projections.values()) {
      const lag = projection.lag;
      if (lag) followers.push({ name: projection.name, kind: 'projection', lag: () => lag.call(projection) });
    }
    for (const replayer of this.replayers.values()) {
      const lag = replayer.lag;
      if (lag) followers.push({ name: replayer.name, kind: 'reactor', lag: () => lag.call(replayer) });
    }
    for (const relay of this.relays.values()) followers.push({ name: relay.name, kind: 'relay', lag: () => relay.lag() });
    return followers;
  }

  /** The follower that parked events under `name`, if this process runs it. */
  replayerOf(name: string): ParkedEventReplayer | undefined {
    const replay = this.projections.get(name)?.replayParked;
    if (replay) return { name, replayParked: (entry) => replay.call(this.projections.get(name), entry) };
    return this.replayers.get(name);
  }
}

export const PROJECTION_REGISTRY = Symbol('ProjectionRegistry');
