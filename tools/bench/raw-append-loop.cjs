// The raw anchor of the create benchmarks, in CommonJS so the TypeScript benchmarks (raw-appends.ts, with the event
// store's schema from source) and the .mjs ones (create-cpu.bench.mjs, with a build's) run the same loop (types: .d.cts).
const { randomUUID } = require('node:crypto');
const { rmSync } = require('node:fs');
const { join } = require('node:path');
const Database = require('better-sqlite3');

/**
 * One INSERT per fsync'd transaction into a table like the event store's (`schema`: its configureConnection and
 * createSchema), rows of the given `data` and `metadata` texts, for `seconds`, in a scratch file of `dir` removed after:
 * appends a second.
 */
exports.rawAppendsPerSecond = (schema, dir, seconds, row) => {
  const file = join(dir, `raw-anchor-${randomUUID()}.sqlite`);
  const db = new Database(file);
  try {
    schema.configureConnection(db);
    schema.createSchema(db);
    const insert = db.prepare('INSERT INTO events (id, stream, revision, type, schema_version, data, metadata) VALUES (?, ?, 0, ?, 1, ?, ?)');
    let appended = 0;
    const started = performance.now();
    while (performance.now() - started < seconds * 1000) insert.run(randomUUID(), `partner-${appended++}`, 'partner.created.v1', row.data, row.metadata);
    return appended / ((performance.now() - started) / 1000);
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
};
