export const DEFAULT_STREAM_HEADS = 100_000;

/**
 * The last revision of streams this process read to their end or appended to (an upper bound: a read that found
 * nothing from revision r records r - 1), least recently used dropped first. Only true while no other process
 * appends: the store consults it only while it holds the file's writer lock.
 */
export class StreamHeads {
  private readonly heads = new Map<string, number>();

  constructor(private readonly capacity = DEFAULT_STREAM_HEADS) {}

  /** True when the stream is known to hold no event at or after `revision`. */
  endsBefore(stream: string, revision: number): boolean {
    const head = this.heads.get(stream);
    return head !== undefined && revision > head;
  }

  set(stream: string, revision: number): void {
    this.heads.delete(stream);
    this.heads.set(stream, revision);
    // A Map iterates in insertion order: the first key is the least recently set.
    if (this.heads.size > this.capacity) this.heads.delete(this.heads.keys().next().value as string);
  }

  forget(stream: string): void {
    this.heads.delete(stream);
  }
}
