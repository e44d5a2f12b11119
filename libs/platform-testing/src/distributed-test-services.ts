import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createConnection, type Connection } from 'mongoose';
import { prefixedTopic } from '@as2-partners/kernel';
import { loadPlatformConfig, type Environment, type PlatformConfig } from '@as2-partners/platform';
import { createTestHttpApp, type TestHttpAppOptions } from './create-test-http-app';

/** What one service of a distributed spec adds to the shared set-up. */
export interface DistributedServiceOptions extends Pick<TestHttpAppOptions, 'clock' | 'logDestination'> {
  /** Its own variables (PARTNER_SECRETS_KEY, KEYSTORE_URL, ...), over the shared ones. */
  readonly env?: Environment;
}

interface Started {
  readonly module: Type<unknown> | DynamicModule;
  readonly database: string;
  readonly config: PlatformConfig;
  readonly options: DistributedServiceOptions;
}

/**
 * The services of one distributed spec, started the same way: distributed mode on the spec's Kafka, each service on its
 * own database of the MongoDB-wire server (every run starts from empty read models) and its own data dir, EventStoreDB
 * where ESDB_URL is set (otherwise the SQLite event store, which passes the same contract), tokens signed with the
 * spec's secret, consumer groups namespaced by database and topics prefixed per spec (KAFKA_TOPIC_PREFIX) so suites can
 * share a broker: a service of another suite never consumes this spec's events. `close()` stops them, drops their
 * databases and removes their data dirs.
 */
export class DistributedTestServices {
  private readonly started = new Map<NestFastifyApplication, Started>();
  private readonly databases = new Set<string>();
  private readonly connections = new Map<string, Connection>();
  private readonly dataDirs: string[] = [];
  /** This spec's KAFKA_TOPIC_PREFIX, shared by its services. */
  readonly topicPrefix = `it-${randomUUID().slice(0, 12)}`;

  constructor(private readonly servers: { readonly brokers: string; readonly mongoUrl: string; readonly jwtSecret: string }) {}

  /** A topic as this spec's services use it on the broker (`as2.partner-registry.events` → `<prefix>.as2.partner-registry.events`). */
  topic(topic: string): string {
    return prefixedTopic(this.topicPrefix, topic);
  }

  /** `database` on the spec's MongoDB-wire server. */
  databaseUrl(database: string): string {
    const parsed = new URL(this.servers.mongoUrl);
    parsed.pathname = `/${database}`;
    return parsed.toString();
  }

  async start(module: Type<unknown> | DynamicModule, database: string, options: DistributedServiceOptions = {}): Promise<NestFastifyApplication> {
    const dataDir = await mkdtemp(join(tmpdir(), `as2-${database}-`));
    this.dataDirs.push(dataDir);
    this.databases.add(database);
    const esdb = process.env['ESDB_URL'];
    const config = loadPlatformConfig({
      MODE: 'distributed',
      ...(esdb ? { ESDB_URL: esdb } : { EVENT_STORE: 'sqlite' }),
      KAFKA_BROKERS: this.servers.brokers,
      KAFKA_TOPIC_PREFIX: this.topicPrefix,
      MONGO_URL: this.databaseUrl(database),
      DATA_DIR: dataDir,
      JWT_SECRET: this.servers.jwtSecret,
      LOG_LEVEL: 'warn',
      ...options.env,
    });
    return this.open({ module, database, config, options }, `it-${database}`);
  }

  /** Stops `app` and starts its module again on the same data dir and database: a restart against existing data. */
  async restart(app: NestFastifyApplication): Promise<NestFastifyApplication> {
    const started = this.started.get(app);
    if (!started) throw new Error('restart: not an app these services started');
    this.started.delete(app);
    await app.close();
    return this.open(started, `it-${started.database}-restarted`);
  }

  /** A connection to a service's database, for assertions on its documents. */
  async mongo(database: string): Promise<Connection> {
    const open = this.connections.get(database) ?? (await createConnection(this.databaseUrl(database)).asPromise());
    this.connections.set(database, open);
    return open;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.started.keys()].map((app) => app.close()));
    this.started.clear();
    for (const database of this.databases) {
      const connection = await this.mongo(database).catch(() => null);
      await connection?.db?.dropDatabase().catch(() => undefined);
      await connection?.close();
    }
    await Promise.all(this.dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }

  private async open(started: Started, kafkaClientId: string): Promise<NestFastifyApplication> {
    const { clock, logDestination } = started.options;
    const app = await createTestHttpApp(started.module, started.config, { kafkaClientId, consumerGroupNamespace: `it-${started.database}`, clock, logDestination });
    this.started.set(app, started);
    return app;
  }
}
