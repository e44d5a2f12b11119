import type { CheckpointStore } from '@as2-partners/kernel';
import type { Database, Statement } from 'better-sqlite3';
import type { TurnTransaction } from './turn-transaction';

/**
 * Checkpoints of the followers that write into this store, kept in the same file as their documents and saved in the
 * transaction of the turn's document writes (see TurnTransaction): a follower saves after every event at no cost.
 */
export class EmbeddedCheckpointStore implements CheckpointStore {
  readonly savesWithReadModelWrites = true;
  private readonly loadStatement: Statement<[string], { position: number }>;
  private readonly deleteStatement: Statement<[string]>;
  private readonly furthestStatement: Statement<[], { position: number | null }>;
  private readonly bringBackStatement: Statement<[number, number]>;
  private readonly forgetAllStatement: Statement<[]>;

  constructor(
    db: Database,
    private readonly turn: TurnTransaction,
  ) {
    this.loadStatement = db.prepare('SELECT position FROM read_model_checkpoints WHERE name = ?');
    this.deleteStatement = db.prepare('DELETE FROM read_model_checkpoints WHERE name = ?');
    this.furthestStatement = db.prepare('SELECT MAX(position) AS position FROM read_model_checkpoints');
    this.bringBackStatement = db.prepare('UPDATE read_model_checkpoints SET position = ? WHERE position > ?');
    this.forgetAllStatement = db.prepare('DELETE FROM read_model_checkpoints');
  }

  /** The furthest position a follower committed here, null with none: how far into the event store these read models have seen (a MAX over the checkpoints, no document read). */
  furthest(): number | null {
    return this.furthestStatement.get()?.position ?? null;
  }

  /**
   * Brings every committed checkpoint past `head`, the event store's last position (null: it holds no event), back to it,
   * and says how many were: their followers resume at the store's end instead of skipping the events it holds next.
   */
  bringBackTo(head: number | null): number {
    return this.turn.write(() => (head === null ? this.forgetAllStatement.run() : this.bringBackStatement.run(head, head)).changes);
  }

  async load(name: string): Promise<number | null> {
    return this.turn.pendingPosition(name) ?? this.loadStatement.get(name)?.position ?? null;
  }

  async save(name: string, position: number): Promise<void> {
    this.turn.savePosition(name, position);
  }

  async delete(name: string): Promise<void> {
    this.turn.write(() => {
      this.turn.forgetPosition(name);
      this.deleteStatement.run(name);
    });
  }
}
