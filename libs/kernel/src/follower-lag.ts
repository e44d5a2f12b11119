import type { EventStore } from './event-store.port';

/** Where a follower stands, for health and metrics endpoints. */
export interface FollowerLag {
  readonly name: string;
  readonly running: boolean;
  /** Last position handled or parked (null: nothing yet). Bus consumers count in their source's positions. */
  readonly position: number | null;
  /** Last position of the source, when the follower can know it (the event store); null otherwise. */
  readonly headPosition: number | null;
  /** Null when the source's head is unknown (a bus consumer). */
  readonly caughtUp: boolean | null;
  /** Age of the oldest event not yet handled; 0 when caught up. */
  readonly secondsBehind: number | null;
  /** Store events not yet handled, counted up to EVENTS_BEHIND_CAP; null when the source's head is unknown. */
  readonly eventsBehind: number | null;
  /** The last handler or subscription error, null once an event went through after it. */
  readonly lastError: string | null;
  /** Events parked by this follower and not replayed yet. */
  readonly parked: number;
  /**
   * How long the follower has been held on one event (a handler still retrying or hanging) or unable to follow its
   * store; 0 while it moves. A bus consumer that cannot reach its broker is not stalled (the broker is reported apart).
   */
  readonly stalledSeconds: number;
}

/** Something that reports a FollowerLag: projections, reactors, outbox relays. */
export interface LagReporter {
  readonly name: string;
  lag(): Promise<FollowerLag>;
}

/** Seconds from `since` to `now`, 0 when nothing holds the follower. */
export function secondsSince(since: Date | null, now: Date): number {
  return since === null ? 0 : Math.max(0, (now.getTime() - since.getTime()) / 1000);
}

/** Counting events behind stops here: enough to tell a stall from a hiccup without reading a whole backlog. */
export const EVENTS_BEHIND_CAP = 1000;

/** Where a follower of `store` at `position` stands against the store's head. */
export async function storeLag(
  store: EventStore,
  position: number | null,
  now: Date,
): Promise<Pick<FollowerLag, 'headPosition' | 'caughtUp' | 'secondsBehind' | 'eventsBehind'>> {
  const head = await store.lastPosition();
  const caughtUp = head === null || (position !== null && position >= head);
  if (caughtUp) return { headPosition: head, caughtUp, secondsBehind: 0, eventsBehind: 0 };
  // Counted without reading the backlog where the store can: health and metrics are asked for every follower, often.
  const [oldest, eventsBehind] = store.countAfter
    ? await Promise.all([store.readAll({ after: position, maxCount: 1 }), store.countAfter(position, EVENTS_BEHIND_CAP)])
    : await store.readAll({ after: position, maxCount: EVENTS_BEHIND_CAP }).then((behind) => [behind, behind.length] as const);
  const recordedAt = oldest[0] ? Date.parse(oldest[0].metadata.occurredAt) : NaN;
  const secondsBehind = Number.isFinite(recordedAt) ? Math.max(0, (now.getTime() - recordedAt) / 1000) : 0;
  return { headPosition: head, caughtUp, secondsBehind, eventsBehind };
}
