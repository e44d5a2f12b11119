// What one document write costs in the embedded read store's table layout (one `read_model_docs` table for every
// collection, declared indexes as partial expression indexes on it), raw better-sqlite3, the store's pragmas and upsert:
// CPU µs per row for a bus consumer's document (~400 bytes) and a consumed-event copy (~1.3 KB, its own JSON index),
// with no other collection's index on the table and with 60 (the app declares ~64): SQLite opens a cursor on every
// index of the table for each write, whatever the partial index's WHERE says.
// usage: node tools/bench/read-store-row-cost.bench.mjs [rows=20000]
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';

const rows = Number(process.argv[2] ?? 20_000);
const key = (f) => `(CASE json_type(body, '$."${f}"') WHEN 'true' THEN x'01' WHEN 'false' THEN x'00' WHEN 'object' THEN x'02' WHEN 'array' THEN x'03' ELSE body ->> '$."${f}"' END)`;
const UPSERT = 'INSERT INTO read_model_docs (collection, id, body) VALUES (?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body RETURNING seq';
const partner = (i) => ({ _id: randomUUID(), account: 'bench-account', tenant: `tenant-${i % 100}`, as2Id: `AS2-${i}`, name: `Partner ${i}`, url: `https://p${i}.example.com/as2`, active: true, createdAt: new Date().toISOString() });
const copy = (i) => {
  const event = { id: randomUUID(), type: 'partner.created.v1', schemaVersion: 1, stream: `partner-${i}`, revision: 0, position: i, data: { ...partner(i), settings: { encryption: 'aes256-cbc', signing: 'sha256', mdn: 'sync', compression: false }, contacts: [{ name: 'Ops', email: `ops${i}@example.com` }] }, metadata: { account: 'bench-account', tenant: `tenant-${i % 100}`, correlationId: randomUUID(), causationId: null, actor: { type: 'user', id: 'bench' }, occurredAt: new Date().toISOString() } };
  const text = JSON.stringify(event);
  return { _id: event.id, topic: 'as2.partner-registry.events', position: i, body: text + ' '.repeat(Math.max(0, 1300 - text.length)) };
};

function run(label, collectionIndexes, otherIndexes, make) {
  const file = join(tmpdir(), `row-cost-${randomUUID()}.sqlite`);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -32768');
  db.exec('CREATE TABLE read_model_docs (seq INTEGER PRIMARY KEY, collection TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (collection, id))');
  for (let i = 0; i < otherIndexes; i++) db.exec(`CREATE INDEX other_${i} ON read_model_docs (${key('account')}, ${key('tenant')}, id) WHERE collection = 'other_${i}'`);
  collectionIndexes.forEach((fields, i) => db.exec(`CREATE INDEX own_${i} ON read_model_docs (${fields.map(key).join(', ')}, id) WHERE collection = 'mine'`));
  const upsert = db.prepare(UPSERT);
  const docs = Array.from({ length: rows }, (_, i) => make(i));
  const before = process.cpuUsage();
  for (let i = 0; i < rows; i += 500) {
    db.exec('BEGIN IMMEDIATE');
    for (const doc of docs.slice(i, i + 500)) upsert.get('mine', doc._id, JSON.stringify(doc));
    db.exec('COMMIT');
  }
  const used = process.cpuUsage(before);
  db.close();
  rmSync(file, { force: true });
  rmSync(`${file}-wal`, { force: true });
  rmSync(`${file}-shm`, { force: true });
  console.log(`${label.padEnd(58)} ${((used.user + used.system) / rows).toFixed(1).padStart(6)} µs CPU per row`);
}

for (const others of [0, 60]) {
  run(`consumer document, own index (account, tenant), ${others} other indexes`, [['account', 'tenant']], others, partner);
  run(`event copy (1.3 KB), own index (topic, position), ${others} other indexes`, [['topic', 'position']], others, copy);
}
