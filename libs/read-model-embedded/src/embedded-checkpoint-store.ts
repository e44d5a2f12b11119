import type { CheckpointStore } from '@as2-partners/kernel';
import type { Database, Statement } from 'better-sqlite3';

/** Checkpoints of the projections that write into this store, kept in the same file as their documents. */
export class EmbeddedCheckpointStore implements CheckpointStore {
  private readonly loadStatement: Statement<[string], { position: number }>;
  private readonly saveStatement: Statement<[string, number]>;
  private readonly deleteStatement: Statement<[string]>;

  constructor(db: Database) {
    this.loadStatement = db.prepare('SELECT position FROM read_model_checkpoints WHERE name = ?');
    this.saveStatement = db.prepare(
      'INSERT INTO read_model_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    );
    this.deleteStatement = db.prepare('DELETE FROM read_model_checkpoints WHERE name = ?');
  }

  async load(name: string): Promise<number | null> {
    return this.loadStatement.get(name)?.position ?? null;
  }

  async save(name: string, position: number): Promise<void> {
    this.saveStatement.run(name, position);
  }

  async delete(name: string): Promise<void> {
    this.deleteStatement.run(name);
  }
}
