import Database from 'better-sqlite3';
import { EVENT_COLUMNS, fromRowValues, type EventRowValues } from './sqlite-event-row';

describe('an event row read as values', () => {
  it('gives the stored event, for the columns of EVENT_COLUMNS in a raw statement', () => {
    const db = new Database(':memory:');
    try {
      db.exec('CREATE TABLE events (position INTEGER PRIMARY KEY, id TEXT, stream TEXT, revision INTEGER, type TEXT, schema_version INTEGER, data TEXT, metadata TEXT)');
      db.prepare('INSERT INTO events (position, id, stream, revision, type, schema_version, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        7,
        'evt-1',
        'partner-prt_1',
        3,
        'partner.created.v1',
        2,
        '{"name":"Acme","ids":["a","b"]}',
        '{"tenant":"t1","occurredAt":"2026-12-01T10:00:00.000Z"}',
      );
      const sql = `SELECT ${EVENT_COLUMNS} FROM events`;
      const asValues = fromRowValues(db.prepare<[], EventRowValues>(sql).raw(true).get() as EventRowValues);
      expect(asValues).toEqual({
        id: 'evt-1',
        type: 'partner.created.v1',
        schemaVersion: 2,
        data: { name: 'Acme', ids: ['a', 'b'] },
        metadata: { tenant: 't1', occurredAt: '2026-12-01T10:00:00.000Z' },
        stream: 'partner-prt_1',
        revision: 3,
        position: 7,
      });
    } finally {
      db.close();
    }
  });
});
