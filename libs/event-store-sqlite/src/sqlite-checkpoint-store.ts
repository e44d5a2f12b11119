import type { Database, Statement } from 'better-sqlite3';
import type { CheckpointStore } from '@as2-partners/kernel';
import type { GroupCommit } from './group-commit';

/** Checkpoints in the event store's own file, so the embedded process has a single file to back up. */
export class SqliteCheckpointStore implements CheckpointStore {
  private readonly selectPosition: Statement<[string], { position: number }>;
  private readonly upsert: Statement<[string, number]>;
  private readonly remove: Statement<[string]>;

  /** With `commits`, a save joins the appends' group commit instead of an fsync of its own. */
  constructor(
    db: Database,
    private readonly commits?: GroupCommit,
  ) {
    this.selectPosition = db.prepare('SELECT position FROM checkpoints WHERE name = ?');
    this.upsert = db.prepare(
      'INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    );
    this.remove = db.prepare('DELETE FROM checkpoints WHERE name = ?');
  }

  async load(name: string): Promise<number | null> {
    return this.selectPosition.get(name)?.position ?? null;
  }

  async save(name: string, position: number): Promise<void> {
    if (this.commits) await this.commits.run(() => this.upsert.run(name, position));
    else this.upsert.run(name, position);
  }

  async delete(name: string): Promise<void> {
    this.remove.run(name);
  }
}
