import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CannotStartError,
  causedBySqliteCorruption,
  InProcessEventBus,
  isSqliteCorruption,
  secretsInReadModels,
  withTopicPrefix,
  type CheckpointStore,
  type EventBus,
  type EventStore,
  type ParkedEventStore,
  type ReadModelStore,
  type SecretStore,
} from '@as2-partners/kernel';
import { Logger } from '@nestjs/common';
import { EMBEDDED_SECRETS_FILE, followerLoggerOf, registerStoreOutage, whenStartFails, type InfrastructureConnections, type OpenPurpose, type PlatformConfig, type ReadinessProbe } from '@as2-partners/platform';
import { checkEventsReachReadModels } from './events-reach-read-models';
import { kafkaSettingsFrom } from './kafka-settings';

interface Pingable {
  ping(): Promise<void>;
}

/** Closes what was opened, last first; one failing close does not keep the others open. */
async function closeAll(closers: readonly (() => Promise<void>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const close of [...closers].reverse()) {
    try {
      await close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'Some infrastructure connections did not close cleanly');
}

/** Embedded mode's key material (sealed private keys, tenant data keys), beside the event store: see SqliteSecretStore. */
export { EMBEDDED_SECRETS_FILE };

/**
 * Opens the adapters the mode calls for: SQLite files and the in-process bus when embedded; EventStoreDB,
 * MongoDB and Kafka when distributed. Distributed drivers load only in distributed mode.
 */
export async function openInfrastructure(config: PlatformConfig, kafkaClientId: string, purpose: OpenPurpose = {}): Promise<InfrastructureConnections> {
  const closers: (() => Promise<void>)[] = [];
  try {
    const opened = config.mode === 'embedded' ? await openEmbedded(config, purpose, closers) : await openDistributed(config, kafkaClientId, closers);
    // A start that fails after this (a later provider, an init) closes them: Nest closes only an app it finished creating.
    const forget = whenStartFails(() => opened.close());
    closers.unshift(async () => forget());
    return opened;
  } catch (error) {
    await closeAll(closers).catch(() => undefined);
    throw error;
  }
}

async function openEmbedded(config: PlatformConfig, purpose: OpenPurpose, closers: (() => Promise<void>)[]): Promise<InfrastructureConnections> {
  const [{ SqliteEventStore, SqliteSecretStore }, { EmbeddedReadModelStore, markCorrupt, ReadModelStoreFailedError, setAsideIfMarkedCorrupt }] = await Promise.all([
    import('@as2-partners/event-store-sqlite'),
    import('@as2-partners/read-model-embedded'),
  ]);
  await mkdir(config.dataDir, { recursive: true });
  const eventsFile = join(config.dataDir, 'events.sqlite');
  const eventStore = await unlessCorrupt('the event store file', eventsFile, () => SqliteEventStore.open(eventsFile, { exclusiveWriter: true }));
  closers.push(() => eventStore.close());
  const readModelFile = join(config.dataDir, 'read-models.sqlite');
  const setAside = (why: string): void => {
    const aside = setAsideIfMarkedCorrupt(readModelFile);
    if (aside)
      new Logger('ReadModels').warn(
        `${why}: moved to ${aside}; a new one is filled from the event store. The gateway's message outcomes and the recorded Idempotency-Key answers are no events: they start empty (what of them the old file still holds, sqlite3's .recover may read); delete the old file once satisfied`,
      );
  };
  setAside('The last run found the read-model file corrupt');
  let readModels: Awaited<ReturnType<typeof EmbeddedReadModelStore.open>>;
  try {
    readModels = await EmbeddedReadModelStore.open(readModelFile);
  } catch (error) {
    if (!isSqliteCorruption(error)) throw error;
    // Corrupt where the open itself reads or writes (its schema, its session): set aside at once.
    markCorrupt(readModelFile, error instanceof Error ? error.message : String(error));
    setAside('The read-model file is corrupt');
    readModels = await EmbeddedReadModelStore.open(readModelFile);
  }
  closers.push(() => readModels.close());
  // Never served from read models that have seen events the store lost.
  checkEventsReachReadModels(eventsFile, await eventStore.lastPosition(), readModelFile, readModels, purpose.rebuildsReadModels === true);
  // Never in the read-model file, which a repair sets aside or deletes: what it holds is found nowhere in the events.
  // Earlier versions kept it there; it is moved out of it as the services ask for their collections.
  const secretsFile = join(config.dataDir, EMBEDDED_SECRETS_FILE);
  // A file cut to nothing is no database: SQLite would make a new, empty one in it
  const secretsFound = existsSync(secretsFile) && statSync(secretsFile).size > 0;
  const secrets = await unlessCorrupt('the secret file', secretsFile, () => SqliteSecretStore.open(secretsFile, { movedFrom: readModels }));
  // A store with events but no secret file: what it sealed (our keys, the tenants' data keys) is not there, and the
  // changes to come would seal new ones into a file a restore then replaces. Said at the start, not at the first 409.
  if (!secretsFound && (await eventStore.lastPosition()) !== null) {
    new Logger('Secrets').error(
      `${secretsFile} was not found, or was empty, at this start: a new, empty one was made. If this data directory held our keys or partner passwords, they cannot be unsealed (keys answer 409 KEY_MATERIAL_UNAVAILABLE, outbound calls 409 OUTBOUND_SECRET_UNAVAILABLE): stop the service and restore the file from a backup before any change`,
    );
  }
  closers.push(() => secrets.close());
  // A corrupt file answers 503 STORE_UNAVAILABLE (not 500); readiness then checks the files and fails for the corrupt
  // one: the read-model file until a restart sets it aside and rebuilds it, the event store's or the secrets' until restored.
  watchForCorruption([eventStore, readModels, secrets], closers);
  // A read-model file that takes no more writes (a failed commit, removed while open) is an outage too, until a restart.
  registerStoreOutage((error) => error instanceof ReadModelStoreFailedError);
  const kept = [
    { what: 'the event store file', file: eventsFile, store: eventStore },
    { what: 'the secret file', file: secretsFile, store: secrets },
  ];
  const forget = whenStartFails((error) => repairAfterFailedStart(error, kept, readModels));
  closers.push(async () => forget());
  const bus = new InProcessEventBus();
  closers.push(() => bus.close());
  const embedded = connections(eventStore, readModels, secrets, bus, [
    { name: 'eventStore', ping: () => eventStore.ping() },
    { name: 'readModelStore', ping: () => readModels.ping(), restartNeeded: () => readModels.restartNeeded() },
    { name: 'secretStore', ping: () => secrets.ping(), restartNeeded: () => secrets.restartNeeded() },
  ], closers);
  // No decision is stored meanwhile that the views would never show, or whose secrets the restart would lose: a command
  // is answered 503 before it is stored.
  return { ...embedded, decisionRefusal: () => readModels.followRefusal() ?? secrets.writeRefusal(), viewsRefusal: () => readModels.viewsLost() };
}

/** The embedded SQLite stores open in this process (tests open several), told when a corruption error is seen. */
const openSqliteStores = new Set<{ suspectCorruption(): unknown }>();
let corruptionOutageRegistered = false;

function watchForCorruption(stores: readonly { suspectCorruption(): unknown }[], closers: (() => Promise<void>)[]): void {
  for (const store of stores) openSqliteStores.add(store);
  closers.push(async () => void stores.forEach((store) => openSqliteStores.delete(store)));
  if (corruptionOutageRegistered) return;
  corruptionOutageRegistered = true;
  registerStoreOutage((error) => {
    if (!isSqliteCorruption(error)) return false;
    for (const open of openSqliteStores) open.suspectCorruption();
    return true;
  });
}

/**
 * A start failed on SQLite's corruption error. A file nothing rebuilds corrupt (the events, the secrets): the start
 * fails naming it (a restart cannot repair it). Otherwise the read-model file is marked even when its quick check finds
 * nothing (an index whose rows do not match its table passes it), so the next start rebuilds it instead of failing the
 * same way.
 */
function repairAfterFailedStart(
  error: unknown,
  kept: readonly { readonly what: string; readonly file: string; readonly store: { suspectCorruption(): boolean } }[],
  readModels: { suspectCorruption(): void; markForRebuild(reason: string): void },
): CannotStartError | undefined {
  if (!causedBySqliteCorruption(error)) return undefined;
  const corrupt = kept.find(({ store }) => store.suspectCorruption());
  if (corrupt) return corruptAtStart(corrupt.what, corrupt.file, error);
  readModels.suspectCorruption();
  readModels.markForRebuild(`a start failed on: ${error instanceof Error ? error.message : String(error)}`);
  new Logger('ReadModels').warn('The start failed on a corrupt SQLite page outside the event store and the secrets: the read-model file is set aside and rebuilt at the next start');
  return undefined;
}

/** Opens a file nothing rebuilds (the events, the secrets): one SQLite finds corrupt fails the start naming it. */
async function unlessCorrupt<T>(what: string, file: string, open: () => T | Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    throw causedBySqliteCorruption(error) ? corruptAtStart(what, file, error) : error;
  }
}

/** The one line a start fails with on a corrupt file nothing rebuilds: which file, and that only a backup brings it back. */
function corruptAtStart(what: string, file: string, error: unknown): CannotStartError {
  const reason = error instanceof Error ? error.message : String(error);
  return new CannotStartError(`${what} ${file} is corrupt (${reason}): no restart repairs it; stop the service and restore the file from a backup (README)`, { cause: error });
}

async function openDistributed(config: PlatformConfig, kafkaClientId: string, closers: (() => Promise<void>)[]): Promise<InfrastructureConnections> {
  const [{ MongoReadModelStore, isMongoUnreachable }, { KafkaEventBus }] = await Promise.all([
    import('@as2-partners/read-model-mongo'),
    import('@as2-partners/messaging-kafka'),
  ]);
  // A request that meets MongoDB down is answered 503, not 500.
  registerStoreOutage(isMongoUnreachable);
  const { topicPrefix, ...kafkaSettings } = kafkaSettingsFrom(config.env);
  const eventStore = await openDistributedEventStore(config);
  closers.push(() => eventStore.close());
  const readModels = await connecting('the read-model store', 'MONGO_URL', MongoReadModelStore.connect(required(config.mongoUrl, 'MONGO_URL')));
  closers.push(() => readModels.close());
  const kafka = await connecting(
    'Kafka',
    'KAFKA_BROKERS',
    KafkaEventBus.connect({
      brokers: [...config.kafkaBrokers],
      clientId: kafkaClientId,
      parked: readModels.parkedEventStore(),
      retry: config.followerRetry,
      ...kafkaSettings,
      // Kafka down at start does not stop the service (it serves, as when Kafka goes down later): the outbox keeps
      // the events, and publishing and consuming begin once a broker answers.
      connectInBackground: true,
      // kafkajs writes through the service's logger: the same JSON lines as everything else.
      logger: followerLoggerOf(new Logger('Kafka')),
    }),
  );
  closers.push(() => kafka.close());
  const bus = topicPrefix === undefined ? kafka : withTopicPrefix(kafka, topicPrefix);
  // The secrets stay collections of the MongoDB database, as before: no rebuild clears them (each projection clears its own).
  return connections(eventStore, readModels, secretsInReadModels(readModels), bus, [
    { name: 'eventStore', ping: () => eventStore.ping() },
    { name: 'readModelStore', ping: () => readModels.ping() },
    { name: 'kafka', ping: () => kafka.ping(), affectsReadiness: false },
  ], closers);
}

async function openDistributedEventStore(config: PlatformConfig): Promise<EventStore & Pingable & { checkpointStore(): CheckpointStore }> {
  if (config.eventStore === 'sqlite') {
    const { SqliteEventStore } = await import('@as2-partners/event-store-sqlite');
    await mkdir(config.dataDir, { recursive: true });
    return SqliteEventStore.open(join(config.dataDir, 'events.sqlite'), { exclusiveWriter: true });
  }
  const { EsdbEventStore } = await import('@as2-partners/event-store-esdb');
  return connecting('the event store', 'ESDB_URL', EsdbEventStore.connect(required(config.esdbUrl, 'ESDB_URL')));
}

function connections(
  eventStore: EventStore & Pingable & { checkpointStore(): CheckpointStore },
  readModels: ReadModelStore & Pingable & { checkpointStore(): CheckpointStore; parkedEventStore(): ParkedEventStore },
  secrets: SecretStore,
  bus: EventBus,
  probes: ReadinessProbe[],
  closers: (() => Promise<void>)[],
): InfrastructureConnections {
  return {
    eventStore,
    eventStoreCheckpoints: eventStore.checkpointStore(),
    readModels,
    projectionCheckpoints: readModels.checkpointStore(),
    parkedEvents: readModels.parkedEventStore(),
    secrets,
    bus,
    probes,
    close: () => closeAll(closers.splice(0)),
  };
}

/** Names the variable to check, never its value (connection strings may hold credentials): a start refused in one line. */
async function connecting<T>(what: string, variable: string, connection: Promise<T>): Promise<T> {
  try {
    return await connection;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CannotStartError(`Could not connect to ${what} (check ${variable}): ${reason}`, { cause: error });
  }
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} is required in distributed mode`);
  return value;
}
