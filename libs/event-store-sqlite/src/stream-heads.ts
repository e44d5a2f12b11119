export const DEFAULT_STREAM_HEADS = 100_000;

/**
 * The last revision of streams this process read to their end or appended to (an upper bound: a read that found
 * nothing from revision r records r - 1), those set longest ago dropped first, half the capacity at a time. Only true
 * while no other process appends: the store consults it only while it holds the file's writer lock.
 *
 * Two generations of maps, not one map trimmed at its start: V8 walks the deleted slots a trimmed map leaves at its
 * start on every later trim (tens of µs a set once the map is full), where dropping a whole generation costs nothing.
 */
export class StreamHeads {
  private recent = new Map<string, number>();
  private older = new Map<string, number>();

  constructor(private readonly capacity = DEFAULT_STREAM_HEADS) {}

  /** True when the stream is known to hold no event at or after `revision`. */
  endsBefore(stream: string, revision: number): boolean {
    const head = this.recent.get(stream) ?? this.older.get(stream);
    return head !== undefined && revision > head;
  }

  set(stream: string, revision: number): void {
    this.recent.set(stream, revision);
    if (this.recent.size < Math.max(1, this.capacity / 2)) return;
    this.older = this.recent;
    this.recent = new Map();
  }

  forget(stream: string): void {
    this.recent.delete(stream);
    this.older.delete(stream);
  }

  /** How many streams' heads are known (at most the capacity). */
  get size(): number {
    let size = this.recent.size;
    for (const stream of this.older.keys()) if (!this.recent.has(stream)) size += 1;
    return size;
  }
}
