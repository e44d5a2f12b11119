import type { Snapshot, SnapshotStore } from '@as2-partners/kernel';

/** Snapshots in a map, stored as JSON text as a real store would, so a codec that loses data shows. */
export class InMemorySnapshotStore implements SnapshotStore {
  private readonly saved = new Map<string, { revision: number; json: string }>();
  saves = 0;

  async load(stream: string, name: string): Promise<Snapshot | null> {
    const entry = this.saved.get(`${stream}\u0000${name}`);
    return entry ? { revision: entry.revision, state: JSON.parse(entry.json) as unknown } : null;
  }

  async save(stream: string, name: string, snapshot: Snapshot): Promise<void> {
    this.saves++;
    this.saved.set(`${stream}\u0000${name}`, { revision: snapshot.revision, json: JSON.stringify(snapshot.state) });
  }
}
