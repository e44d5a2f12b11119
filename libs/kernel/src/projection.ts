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

export class ProjectionRegistry {
  private readonly projections = new Map<string, Projection>();

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
}

export const PROJECTION_REGISTRY = Symbol('ProjectionRegistry');
