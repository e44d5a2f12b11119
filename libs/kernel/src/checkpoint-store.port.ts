/** Where a follower (projection, publisher, consumer) remembers the last position it fully processed. */
export interface CheckpointStore {
  load(name: string): Promise<number | null>;
  save(name: string, position: number): Promise<void>;
  /** Forgets the checkpoint: the follower starts from the beginning (read-model rebuilds). */
  delete(name: string): Promise<void>;
}

export const CHECKPOINT_STORE = Symbol('CheckpointStore');
