// Provides a Kafka broker for integration tests: KAFKA_BROKERS if set, else an apache/kafka container when a
// container runtime answers, else a single-node KRaft broker run from the Maven Central jars (tools/kafka/pom.xml).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const KAFKA_VERSION = '3.9.1';
const IMAGE = `apache/kafka:${KAFKA_VERSION}`;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const POM = join(ROOT, 'tools/kafka/pom.xml');
const LIBS = join(ROOT, 'tools/.local/kafka/libs');
const READY_TIMEOUT_MS = 90_000;

/** @param {{ ci?: boolean }} options */
export async function provide({ ci = false } = {}) {
  const fromEnv = process.env.KAFKA_BROKERS;
  if (fromEnv) return { env: { KAFKA_BROKERS: fromEnv }, source: 'env', stop: async () => {} };
  const runtime = await containerRuntime();
  if (runtime) return fromContainer();
  if (ci) console.warn('[kafka] no KAFKA_BROKERS and no container runtime: starting a local broker from the Maven jars');
  return fromLocalJars();
}

async function containerRuntime() {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    // testcontainers answers at once when no strategy applies; the timeout guards a socket that hangs.
    return await Promise.race([getContainerRuntimeClient(), delay(5000).then(() => null)]);
  } catch {
    return null;
  }
}

async function fromContainer() {
  const { GenericContainer, Wait } = await import('testcontainers');
  // The advertised address must be what the host dials, so the host port is fixed before the container starts.
  const port = await freePort();
  const container = await new GenericContainer(IMAGE)
    .withExposedPorts({ container: 9092, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_HEAP_OPTS: '-Xmx512m -Xms256m',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const brokers = `127.0.0.1:${port}`;
  try {
    await waitUntilReady(brokers, () => null);
  } catch (error) {
    await container.stop();
    throw error;
  }
  return { env: { KAFKA_BROKERS: brokers }, source: 'testcontainers', stop: async () => void (await container.stop()) };
}

async function fromLocalJars() {
  if (!hasJava()) throw new Error('Kafka: KAFKA_BROKERS is unset, no container runtime answers, and `java` (17+) is not on PATH');
  fetchJars();
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'as2-kafka-'));
  const properties = join(dir, 'server.properties');
  writeFileSync(properties, serverProperties({ dir, port, controllerPort }));
  writeFileSync(join(dir, 'log4j.properties'), log4jProperties(dir));
  const classpath = `${LIBS}/*`;
  const jvm = ['-Xmx512m', '-Xms128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`];
  // A Kafka cluster id is 16 random bytes in unpadded base64url; making it here saves one JVM start.
  // A cluster id starting with '-' reads as an option to the storage tool (1 start in 64 failed): draw again.
  let clusterId;
  do clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-'));
  const format = spawnSync('java', [...jvm, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties, '--standalone'], {
    encoding: 'utf8',
  });
  if (format.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Kafka: formatting the log directory failed: ${format.stderr || format.stdout}`);
  }
  let broker;
  let exited = null;
  const launch = () => {
    exited = null;
    broker = spawn('java', [...jvm, '-cp', classpath, 'kafka.Kafka', properties], { stdio: 'ignore', detached: false });
    broker.once('exit', (code, signal) => (exited = signal ?? code));
  };
  launch();
  const killOnExit = () => broker.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (exited === null) {
      const gone = new Promise((r) => broker.once('exit', r));
      broker.kill('SIGTERM');
      const forced = setTimeout(() => broker.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(forced);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const brokers = `127.0.0.1:${port}`;
  const ready = () => waitUntilReady(brokers, () => (exited === null ? null : `the broker exited (${exited}):\n${logTail(dir)}`));
  try {
    await ready();
  } catch (error) {
    await stop();
    throw error;
  }
  // For fault drills (tools/faults): kill -9 the broker, keeping its log directory, and start it again on the same port.
  const kill = async () => {
    if (exited !== null) return;
    const gone = new Promise((r) => broker.once('exit', r));
    broker.kill('SIGKILL');
    await gone;
  };
  const restart = async () => {
    launch();
    await ready();
  };
  return { env: { KAFKA_BROKERS: brokers }, source: 'local', stop, kill, restart };
}

function hasJava() {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
}

function fetchJars() {
  if (existsSync(LIBS) && readdirSync(LIBS).includes(`kafka_2.13-${KAFKA_VERSION}.jar`)) return;
  const mvn = spawnSync('mvn', ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${LIBS}`], {
    encoding: 'utf8',
  });
  if (mvn.error) throw new Error(`Kafka: cannot run mvn to fetch the broker jars (${mvn.error.message})`);
  if (mvn.status !== 0) throw new Error(`Kafka: mvn could not fetch the broker jars:\n${(mvn.stdout + mvn.stderr).slice(-2000)}`);
}

function serverProperties({ dir, port, controllerPort }) {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(dir, 'data')}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // Consumers in tests join at once instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=2',
    'log.retention.hours=1',
    '',
  ].join('\n');
}

function log4jProperties(dir) {
  return [
    'log4j.rootLogger=WARN, file',
    'log4j.appender.file=org.apache.log4j.FileAppender',
    `log4j.appender.file.File=${join(dir, 'server.log')}`,
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.server.KafkaRaftServer=INFO',
    '',
  ].join('\n');
}

function logTail(dir) {
  try {
    return readFileSync(join(dir, 'server.log'), 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no server.log)';
  }
}

async function waitUntilReady(brokers, failure) {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'test-server-probe', brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'not tried';
  for (;;) {
    const why = failure();
    if (why) throw new Error(`Kafka: ${why}`);
    try {
      await admin.connect();
      await admin.listTopics();
      // Ready also means the group coordinator and producer ids answer, which a fresh broker sets up lazily.
      await admin.describeGroups(['test-server-probe']);
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 5 } });
      await producer.connect();
      await producer.disconnect();
      await admin.disconnect();
      return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
      await admin.disconnect().catch(() => {});
    }
    if (Date.now() > deadline) throw new Error(`Kafka at ${brokers} was not ready within ${READY_TIMEOUT_MS} ms: ${last}`);
    await delay(250);
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function delay(ms) {
  return new Promise((r) => setTimeout(r, ms).unref());
}
