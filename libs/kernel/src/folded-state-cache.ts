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
 * Entries of every cached fold together (a directory weighs its entries, see SnapshotCodec.weigh; any other fold 1):
 * ~50 MiB of a partner directory's reservations, so a deployment of a million partners does not keep every tenant's.
 */
export const DEFAULT_MAX_CACHED_WEIGHT = 250_000;

/** A cached fold in the recency list: `older` towards the least recently used, `newer` towards the most. */
interface Cached {
  readonly stream: string;
  readonly entry: FoldedState;
  readonly weight: number;
  older: Cached | null;
  newer: Cached | null;
}

/** What a fold weighs in the cache: its decider's own measure (a directory's entries), else 1. */
function weightOf(entry: FoldedState): number {
  const weigh = (entry.decider as { readonly snapshot?: { readonly weigh?: (state: unknown) => number } }).snapshot?.weigh;
  return weigh ? Math.max(1, weigh(entry.state)) : 1;
}

/**
 * Folded states by stream, least recently used evicted first, so a load reads only the events appended since
 * (a stream's events never change, so a cached fold stays true). Owned by one write model, never shared. Bounded by a
 * number of streams and by the weight of every fold but the heaviest together: the heaviest stays whatever it weighs
 * (a hub tenant's directory past maxWeight was otherwise evicted by the next fold each create cached, and decoded again
 * from its snapshot by the next create: ~10 ms of CPU a create at 250,000 partners in one tenant, creates/s down 4×).
 */
export class FoldedStateCache {
  private readonly entries = new Map<string, Cached>();
  /**
   * The recency order as a linked list, not the map's insertion order: a map moved to its end on every read and
   * trimmed at its start leaves deleted slots that every later trim walks past (~60 µs per create at 20,000 cached
   * streams, a create reading three), where the list moves and trims in constant time.
   */
  private oldest: Cached | null = null;
  private newest: Cached | null = null;
  private weight = 0;
  /** The heaviest fold cached (the one the weight bound leaves out), null while none is. */
  private heaviest: Cached | null = null;

  constructor(
    private readonly maxStreams = DEFAULT_MAX_CACHED_STREAMS,
    private readonly maxWeight = DEFAULT_MAX_CACHED_WEIGHT,
  ) {}

  /** The cached fold of `stream`, unless another decider folded it. */
  get(stream: string, decider: object): FoldedState | undefined {
    const cached = this.entries.get(stream);
    if (!cached || cached.entry.decider !== decider) return undefined;
    if (cached !== this.newest) {
      this.unlink(cached);
      this.append(cached);
    }
    return cached.entry;
  }

  set(stream: string, entry: FoldedState): void {
    // the heaviest folded again stays the heaviest (a directory changes by an entry or so a fold): no search for another
    const wasHeaviest = this.heaviest?.stream === stream;
    this.remove(stream);
    const cached: Cached = { stream, entry, weight: weightOf(entry), older: null, newer: null };
    this.entries.set(stream, cached);
    this.append(cached);
    this.weight += cached.weight;
    if (wasHeaviest || this.heaviest === null || cached.weight > this.heaviest.weight) this.heaviest = cached;
    this.evict();
  }

  /** The least recently used folds out, the heaviest passed over, until within both bounds. */
  private evict(): void {
    while (this.entries.size > 1) {
      const exempt = (this.heaviest as Cached).weight;
      if (this.entries.size <= this.maxStreams && this.weight - exempt <= this.maxWeight) return;
      const oldest = this.oldest as Cached;
      const victim = oldest === this.heaviest ? oldest.newer : oldest;
      if (!victim) return;
      this.remove(victim.stream);
    }
  }

  /** Every cached fold by stream, least recently used first (a copy: setting entries meanwhile does not disturb it). */
  folds(): Array<[string, FoldedState]> {
    const folds: Array<[string, FoldedState]> = [];
    for (let cached = this.oldest; cached; cached = cached.newer) folds.push([cached.stream, cached.entry]);
    return folds;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The weight of every cached fold together. */
  get totalWeight(): number {
    return this.weight;
  }

  private remove(stream: string): void {
    const cached = this.entries.get(stream);
    if (!cached) return;
    if (cached === this.heaviest) this.heaviest = null;
    this.entries.delete(stream);
    this.unlink(cached);
    this.weight -= cached.weight;
  }

  private append(cached: Cached): void {
    cached.older = this.newest;
    cached.newer = null;
    if (this.newest) this.newest.newer = cached;
    else this.oldest = cached;
    this.newest = cached;
  }

  private unlink(cached: Cached): void {
    if (cached.older) cached.older.newer = cached.newer;
    else this.oldest = cached.newer;
    if (cached.newer) cached.newer.older = cached.older;
    else this.newest = cached.older;
    cached.older = null;
    cached.newer = null;
  }
}
