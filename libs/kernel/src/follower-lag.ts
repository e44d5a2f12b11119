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
  /** The last handler or subscription error, null once an event went through after it. */
  readonly lastError: string | null;
  /** Events parked by this follower and not replayed yet. */
  readonly parked: number;
}
