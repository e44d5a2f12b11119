/** A stream's folded state saved at a revision, as its decider's snapshot codec wrote it. */
export interface Snapshot {
  readonly revision: number;
  readonly state: unknown;
}

/**
 * Saved folds of long streams (a directory with 100,000 reservations), so loading one reads the snapshot and the
 * events after it. A cache of what the events say: losing one only means a longer fold.
 */
export interface SnapshotStore {
  /**
   * The latest snapshot of `stream` written by the codec `name`, if any. A store that reads a large one a part at a
   * time awaits `nextTurn` between the parts (default: a turn of the event loop).
   */
  load(stream: string, name: string, nextTurn?: () => Promise<void>): Promise<Snapshot | null>;
  save(stream: string, name: string, snapshot: Snapshot): Promise<void>;
  /** The streams with a snapshot by the codec `name`, longest first (the ones worth loading before they are needed). Optional. */
  longest?(name: string, limit: number): Promise<string[]>;
}
