import { TrafficDirectory } from '@as2-partners/traffic-control-domain';

/**
 * The process's one in-memory directory the decision API answers from, with the last event position applied from
 * each source (the decision's `as_of`, so a gateway sees how stale an answer may be).
 */
export class LiveTrafficDirectory {
  readonly directory = new TrafficDirectory();
  private readonly positions: Record<string, number | null> = { 'partner-registry': null, 'traffic-control': null };

  /** The positions as last handed out: a new object only after a change, so a decision allocates none. */
  private snapshot: Readonly<Record<string, number | null>> = Object.freeze({ ...this.positions });

  applied(source: 'partner-registry' | 'traffic-control', position: number): void {
    const current = this.positions[source];
    if (current === null || position > current) {
      this.positions[source] = position;
      this.snapshot = Object.freeze({ ...this.positions });
    }
  }

  asOf(): Readonly<Record<string, number | null>> {
    return this.snapshot;
  }
}
