import type { ParkedEvent, ParkedEventQuery, ParkedEventStore } from '@as2-partners/kernel';
import type { Database, Statement } from 'better-sqlite3';

/** Parked events of the followers that write into this store, one row per entry, the entry as JSON. */
export class EmbeddedParkedEventStore implements ParkedEventStore {
  private readonly parkStatement: Statement<[string, string, string, string]>;
  private readonly allStatement: Statement<[number], { body: string }>;
  private readonly byConsumerStatement: Statement<[string, number], { body: string }>;
  private readonly getStatement: Statement<[string], { body: string }>;
  private readonly removeStatement: Statement<[string]>;
  private readonly removeAllStatement: Statement<[string]>;
  private readonly countStatement: Statement<[string], { n: number }>;

  constructor(db: Database) {
    this.parkStatement = db.prepare(
      'INSERT INTO parked_events (id, consumer, parked_at, body) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET consumer = excluded.consumer, parked_at = excluded.parked_at, body = excluded.body',
    );
    this.allStatement = db.prepare('SELECT body FROM parked_events ORDER BY parked_at, id LIMIT ?');
    this.byConsumerStatement = db.prepare('SELECT body FROM parked_events WHERE consumer = ? ORDER BY parked_at, id LIMIT ?');
    this.getStatement = db.prepare('SELECT body FROM parked_events WHERE id = ?');
    this.removeStatement = db.prepare('DELETE FROM parked_events WHERE id = ?');
    this.removeAllStatement = db.prepare('DELETE FROM parked_events WHERE consumer = ?');
    this.countStatement = db.prepare('SELECT COUNT(*) AS n FROM parked_events WHERE consumer = ?');
  }

  async park(entry: ParkedEvent): Promise<void> {
    this.parkStatement.run(entry.id, entry.consumer, entry.parkedAt, JSON.stringify(entry));
  }

  async list(query: ParkedEventQuery = {}): Promise<ParkedEvent[]> {
    const limit = query.limit ?? 100;
    const rows = query.consumer === undefined ? this.allStatement.all(limit) : this.byConsumerStatement.all(query.consumer, limit);
    return rows.map((row) => JSON.parse(row.body) as ParkedEvent);
  }

  async get(id: string): Promise<ParkedEvent | null> {
    const row = this.getStatement.get(id);
    return row ? (JSON.parse(row.body) as ParkedEvent) : null;
  }

  async remove(id: string): Promise<void> {
    this.removeStatement.run(id);
  }

  async removeAll(consumer: string): Promise<void> {
    this.removeAllStatement.run(consumer);
  }

  async count(consumer: string): Promise<number> {
    return this.countStatement.get(consumer)?.n ?? 0;
  }
}
