import type { Snapshot, SnapshotStore } from '@as2-partners/kernel';

/** Snapshots in a map, stored as JSON text as a real store would, so a codec that loses data shows. */
export class InMemorySnapshotStore implements SnapshotStore {
  private readonly saved = new Map<string, { revision: number; json: string }>();
  saves = 0;
  loads = 0;

  async load(stream: string, name: string): Promise<Snapshot | null> {
    this.loads++;
    const entry = this.saved.get(`${stream}\u0000${name}`);
    return entry ? { revision: entry.revision, state: JSON.parse(entry.json) as unknown } : null;
  }

  async longest(name: string, limit: number): Promise<string[]> {
    return [...this.saved.entries()]
      .filter(([key]) => key.endsWith(`\u0000${name}`))
      .sort(([, a], [, b]) => b.revision - a.revision)
      .slice(0, limit)
      .map(([key]) => key.slice(0, key.lastIndexOf('\u0000')));
  }

  async save(stream: string, name: string, snapshot: Snapshot): Promise<void> {
    this.saves++;
    this.saved.set(`${stream}\u0000${name}`, { revision: snapshot.revision, json: JSON.stringify(snapshot.state) });
  }
}
