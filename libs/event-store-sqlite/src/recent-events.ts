import type { RecordedEvent } from '@as2-partners/kernel';

export const DEFAULT_RECENT_EVENTS = 4_096;

/**
 * The last events this store appended, parsed once, by position: a caught-up subscription takes its next events from
 * here instead of re-reading and re-parsing them from SQLite (one parse per event, not one per subscription). Only a
 * run of consecutive positions is served, so an event appended by another process (a gap here) is read from the file.
 * Delivered events are shared between subscriptions: read-only, as `RecordedEvent`'s fields say.
 */
export class RecentEvents {
  private readonly byPosition = new Map<number, RecordedEvent>();

  constructor(private readonly capacity = DEFAULT_RECENT_EVENTS) {}

  add(events: readonly RecordedEvent[]): void {
    for (const event of events) this.byPosition.set(event.position, event);
    // A Map iterates in insertion order, and positions are appended in increasing order: the first is the oldest.
    for (const position of this.byPosition.keys()) {
      if (this.byPosition.size <= this.capacity) break;
      this.byPosition.delete(position);
    }
  }

  /** Events at positions after+1, after+2, ... while held here, at most maxCount (maxCount < 0: no limit). */
  after(after: number | null, maxCount: number): RecordedEvent[] {
    const run: RecordedEvent[] = [];
    let next = (after ?? 0) + 1;
    for (let event = this.byPosition.get(next); event && run.length !== maxCount; event = this.byPosition.get(++next)) run.push(event);
    return run;
  }
}
