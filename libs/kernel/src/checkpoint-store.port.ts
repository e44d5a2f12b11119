/** Where a follower (projection, publisher, consumer) remembers the last position it fully processed. */
export interface CheckpointStore {
  /**
   * True when a save joins the transaction of the read-model writes made before it in the same turn (the embedded
   * store's group commit): followers then save after every event, so a crash can neither re-apply nor skip one.
   */
  readonly savesWithReadModelWrites?: boolean;
  load(name: string): Promise<number | null>;
  save(name: string, position: number): Promise<void>;
  /** Forgets the checkpoint: the follower starts from the beginning (read-model rebuilds). */
  delete(name: string): Promise<void>;
}

export const CHECKPOINT_STORE = Symbol('CheckpointStore');
