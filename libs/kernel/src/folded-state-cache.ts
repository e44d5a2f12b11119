/** One stream's state as folded up to `revision`, and the decider that folded it. */
export interface FoldedState {
  readonly decider: object;
  readonly state: unknown;
  readonly revision: number;
  /** Revision of the stream's last snapshot (-1: none), for deciders that snapshot. */
  readonly snapshotRevision?: number;
}

export const DEFAULT_MAX_CACHED_STREAMS = 20_000;

/**
 * Folded states by stream, least recently used evicted first, so a load reads only the events appended since
 * (a stream's events never change, so a cached fold stays true). Owned by one write model, never shared.
 */
export class FoldedStateCache {
  private readonly entries = new Map<string, FoldedState>();

  constructor(private readonly maxStreams = DEFAULT_MAX_CACHED_STREAMS) {}

  /** The cached fold of `stream`, unless another decider folded it. */
  get(stream: string, decider: object): FoldedState | undefined {
    const entry = this.entries.get(stream);
    if (!entry || entry.decider !== decider) return undefined;
    this.entries.delete(stream);
    this.entries.set(stream, entry);
    return entry;
  }

  set(stream: string, entry: FoldedState): void {
    this.entries.delete(stream);
    this.entries.set(stream, entry);
    // Maps iterate in insertion order: the first key is the least recently used.
    if (this.entries.size > this.maxStreams) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}
