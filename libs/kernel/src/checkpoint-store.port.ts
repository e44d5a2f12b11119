/** Where a follower (projection, publisher, consumer) remembers the last position it fully processed. */
export interface CheckpointStore {
  load(name: string): Promise<number | null>;
  save(name: string, position: number): Promise<void>;
}

export const CHECKPOINT_STORE = Symbol('CheckpointStore');
