import type { Database, Statement } from 'better-sqlite3';
import type { Snapshot, SnapshotStore } from '@as2-partners/kernel';
import type { GroupCommit } from './group-commit';

/** Snapshots in the event store's file (table `snapshots`, one row per stream and codec), written with the appends' group commit. */
export class SqliteSnapshotStore implements SnapshotStore {
  private readonly select: Statement<[string, string], { revision: number; state: string }>;
  private readonly upsert: Statement<[string, string, number, string]>;

  constructor(
    db: Database,
    private readonly commits: GroupCommit,
  ) {
    this.select = db.prepare('SELECT revision, state FROM snapshots WHERE stream = ? AND name = ?');
    this.upsert = db.prepare(
      'INSERT INTO snapshots (stream, name, revision, state) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (stream, name) DO UPDATE SET revision = excluded.revision, state = excluded.state WHERE excluded.revision > snapshots.revision',
    );
  }

  async load(stream: string, name: string): Promise<Snapshot | null> {
    const row = this.select.get(stream, name);
    return row ? { revision: row.revision, state: JSON.parse(row.state) as unknown } : null;
  }

  async save(stream: string, name: string, snapshot: Snapshot): Promise<void> {
    const state = JSON.stringify(snapshot.state);
    await this.commits.run(() => this.upsert.run(stream, name, snapshot.revision, state));
  }
}
