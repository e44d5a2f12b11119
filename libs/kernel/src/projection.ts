import type { FollowerLag } from './follower-lag';
import type { ParkedEvent } from './parked-event-store.port';

/** A read model fed by the event store. Registered in the ProjectionRegistry so one command can rebuild all. */
export interface Projection {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Clears the read model and its checkpoint, then replays every event from the store. */
  rebuild(): Promise<void>;
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
}

export class ProjectionRegistry {
  private readonly projections = new Map<string, Projection>();
  private readonly replayers = new Map<string, ParkedEventReplayer>();

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

  /** The follower that parked events under `name`, if this process runs it. */
  replayerOf(name: string): ParkedEventReplayer | undefined {
    const replay = this.projections.get(name)?.replayParked;
    if (replay) return { name, replayParked: (entry) => replay.call(this.projections.get(name), entry) };
    return this.replayers.get(name);
  }
}

export const PROJECTION_REGISTRY = Symbol('ProjectionRegistry');
