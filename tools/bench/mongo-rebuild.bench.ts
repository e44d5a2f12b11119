/**
 * Projection rebuild on MongoDB (issue 10): `rebuild-read-models` of the all-in-one app (the same command path, the
 * read models in MongoDB, the events read from a seeded SQLite event store) beside the raw anchor in the same run: the
 * very documents the rebuild wrote, inserted straight through the driver (unordered `insertMany` batches of 1,000,
 * then the same indexes built once). Prints events/s of the slowest projection, the anchor's time as events/s of the
 * same store, and their ratio, min/median/max over the rounds.
 *
 *   DATA_DIR=<a data dir seeded by bench:scale (SCALE_DATA_DIR=... SCALE_WRITE_ONLY=1)> npm run bench:rebuild-mongo
 *   MONGO_URL=mongodb://...   the server (default: FerretDB from tools/test-servers, built from tools/ferretdb)
 *   REBUILD_ROUNDS=3
 *   REBUILD_WITHOUT_BULK_LOAD=1   every write sent as it is made (what a rebuild did before the bulk load), for comparison
 */
import 'reflect-metadata';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { createConnection, type mongo } from 'mongoose';
import { InProcessEventBus, secretsInReadModels } from '@as2-partners/kernel';
import { loadPlatformConfig, rebuildReadModels, eventsPerSecond, type InfrastructureConnections, type PlatformConfig } from '@as2-partners/platform';
import { SqliteEventStore } from '@as2-partners/event-store-sqlite';
import { MongoReadModelStore } from '@as2-partners/read-model-mongo';
import { AllInOneModule } from '../../apps/all-in-one/src/all-in-one.module';

const env = process.env;
const rounds = Number(env['REBUILD_ROUNDS'] ?? 3);
const dataDir = env['DATA_DIR'];
const BATCH = 1_000;
const log = (line: string) => process.stdout.write(`${line}\n`);

type Stats = { min: number; median: number; max: number };
const stats = (values: number[]): Stats => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0] ?? NaN, median: sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN, max: sorted.at(-1) ?? NaN };
};
const fmt = (s: Stats, digits = 0) => [s.min, s.median, s.max].map((v) => v.toFixed(digits)).join(' / ');

/** The URL with its database replaced by `dbName` (the query string kept). */
function withDatabase(url: string, dbName: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${dbName}`;
  return parsed.toString();
}

/** The embedded SQLite event store the data dir holds, with read models in MongoDB: what `rebuild-read-models` reads and writes. */
function infrastructureOn(mongoUrl: string): (config: PlatformConfig) => Promise<InfrastructureConnections> {
  return async (config) => {
    const eventStore = await SqliteEventStore.open(join(config.dataDir, 'events.sqlite'), { exclusiveWriter: true });
    const readModels = await MongoReadModelStore.connect(mongoUrl);
    if (env['REBUILD_WITHOUT_BULK_LOAD']) Object.assign(readModels, { bulkLoad: undefined });
    const bus = new InProcessEventBus();
    return {
      eventStore,
      eventStoreCheckpoints: eventStore.checkpointStore(),
      readModels,
      projectionCheckpoints: readModels.checkpointStore(),
      parkedEvents: readModels.parkedEventStore(),
      secrets: secretsInReadModels(readModels),
      bus,
      probes: [],
      close: async () => {
        await bus.close();
        await readModels.close();
        await eventStore.close();
      },
    };
  };
}

function eventCount(dir: string): number {
  const db = new Database(join(dir, 'events.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Every document the rebuild wrote, as stored (trigrams included), and each collection's indexes. */
async function writtenDocuments(db: mongo.Db): Promise<{ name: string; docs: mongo.Document[]; indexes: mongo.Document[] }[]> {
  const written = [];
  for (const { name } of await db.listCollections().toArray()) {
    if (name === 'checkpoints' || name === 'parked_events') continue;
    const collection = db.collection(name);
    const docs = await collection.find({}).toArray();
    const indexes = (await collection.indexes()).map((index) => index['key'] as mongo.Document).filter((key) => JSON.stringify(key) !== '{"_id":1}');
    if (docs.length > 0) written.push({ name, docs, indexes });
  }
  return written;
}

/** The anchor: the same documents inserted straight through the driver, unordered batches, then the same indexes one call each. */
async function rawInsert(db: mongo.Db, written: Awaited<ReturnType<typeof writtenDocuments>>): Promise<number> {
  const started = performance.now();
  for (const { name, docs, indexes } of written) {
    const collection = db.collection(name);
    for (let i = 0; i < docs.length; i += BATCH) await collection.insertMany(docs.slice(i, i + BATCH), { ordered: false });
    for (const key of indexes) await collection.createIndex(key);
  }
  return performance.now() - started;
}

async function mongoUrl(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (env['MONGO_URL']) return { url: env['MONGO_URL'], stop: async () => undefined };
  const provider = (await import(pathToFileURL(join(__dirname, '..', 'test-servers', 'mongo.mjs')).href)) as {
    provide(): Promise<{ env: { MONGO_URL: string }; source: string; stop: () => Promise<void> }>;
  };
  const server = await provider.provide();
  log(`MongoDB wire server: ${server.source}`);
  return { url: server.env.MONGO_URL, stop: server.stop };
}

async function main(): Promise<void> {
  if (!dataDir) throw new Error('DATA_DIR: a data dir seeded by bench:scale (SCALE_DATA_DIR=<dir> SCALE_WRITE_ONLY=1 npm run bench:scale)');
  const events = eventCount(dataDir);
  const server = await mongoUrl();
  const rebuildRates: number[] = [];
  const anchorRates: number[] = [];
  const ratios: number[] = [];
  log(`MongoDB rebuild benchmark: ${events} events in ${dataDir}, ${rounds} rounds, node ${process.version}`);
  try {
    for (let r = 0; r < rounds; r++) {
      const dbName = `bench_rebuild_${Date.now().toString(36)}_${r}`;
      const url = withDatabase(server.url, dbName);
      const config = loadPlatformConfig({ ...env, MODE: 'embedded', DATA_DIR: dataDir, JWT_SECRET: 'mongo-rebuild-bench-secret-0123456789', LOG_LEVEL: 'error' });
      const rebuilt = await rebuildReadModels(AllInOneModule, config, { openInfrastructure: infrastructureOn(url) });
      // as bench:scale counts it: the store's events over the slowest projection's rebuild (each projection passes them all)
      const counted = rebuilt.filter((p) => p.events !== undefined && !p.skipped);
      // the store-fed read models are rebuilt together: the pass lasts as long as the slowest of them
      const passMs = Math.max(...counted.map((p) => p.durationMs));
      const slowest = counted.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
      const rate = eventsPerSecond(slowest) ?? NaN;

      const connection = await createConnection(server.url, { dbName }).asPromise();
      const anchorDb = connection.useDb(`${dbName}_anchor`).db as mongo.Db;
      try {
        const written = await writtenDocuments(connection.db as mongo.Db);
        const documents = written.reduce((sum, c) => sum + c.docs.length, 0);
        const anchorMs = await rawInsert(anchorDb, written);
        const anchorRate = (events * 1000) / anchorMs;
        rebuildRates.push(rate);
        anchorRates.push(anchorRate);
        ratios.push(rate / anchorRate);
        log(`  round ${r + 1}: rebuild of ${counted.length} projections in one pass ${passMs.toFixed(0)} ms, slowest ${slowest.name} ${slowest.durationMs} ms ` +
          `(CPU ${slowest.cpuMs} ms, ${rate} events/s); raw insert of the ${documents} documents written + indexes ${anchorMs.toFixed(0)} ms ` +
          `(${anchorRate.toFixed(0)} events/s equivalent, ${((documents * 1000) / anchorMs).toFixed(0)} documents/s)`);
      } finally {
        await connection.db?.dropDatabase();
        await anchorDb.dropDatabase();
        await connection.close();
      }
    }
  } finally {
    await server.stop();
  }
  log('');
  log('measure                                          min / median / max         target');
  log(`${'rebuild on MongoDB (events/s)'.padEnd(49)}${fmt(stats(rebuildRates)).padEnd(27)}>= 20000 ${stats(rebuildRates).median >= 20_000 ? 'met' : 'NOT met'}`);
  log(`${'raw insert anchor (events/s equivalent)'.padEnd(49)}${fmt(stats(anchorRates)).padEnd(27)}info`);
  log(`${'rebuild vs raw insert anchor'.padEnd(49)}${fmt(stats(ratios), 2).padEnd(27)}info`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
