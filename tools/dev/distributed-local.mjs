#!/usr/bin/env node
// Distributed mode on one host without a container engine: a Kafka broker and a MongoDB-compatible server (the test
// servers' providers: KAFKA_BROKERS / MONGO_URL when set, else a container, else Kafka from the Maven Central jars and
// FerretDB from the Go module proxy), the four built services, each its own process with `EVENT_STORE=sqlite` (no
// EventStoreDB here: one replica each), and a proxy on PORT applying gateway/routes.json as the compose nginx does.
//   npm run build && node tools/dev/distributed-local.mjs        (PORT=3000 DIR=./data-distributed)
// Secrets are generated once into DIR (mode 0600) and kept with the services' data; Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import APP_NODE_OPTIONS from './app-node-options.cjs';
import gatewayRoute from './gateway-route.cjs';
import { provide as provideKafka } from '../test-servers/kafka.mjs';
import { provide as provideMongo } from '../test-servers/mongo.mjs';

const { serviceFor } = gatewayRoute;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const port = Number(process.env.PORT ?? 3000);
const dir = resolve(process.env.DIR ?? join(root, 'data-distributed'));
const SERVICES = ['partner-registry', 'certificate-lifecycle', 'traffic-control', 'connection-tester'];
const servicePort = Object.fromEntries(SERVICES.map((service, i) => [service, port + 1 + i]));
const log = (line) => console.log(`[distributed] ${line}`);

for (const service of SERVICES) {
  if (!existsSync(join(root, 'dist/apps', service, 'main.js'))) {
    console.error(`[distributed] dist/apps/${service}/main.js is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}

/** A secret kept in DIR, made once: the services' data is sealed with it. */
function secret(name) {
  const file = join(dir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

mkdirSync(dir, { recursive: true });
const secrets = { JWT_SECRET: secret('jwt-secret'), PARTNER_SECRETS_KEY: secret('partner-secrets-key'), KEYSTORE_MASTER_KEY: secret('keystore-master-key') };
log(`starting Kafka and MongoDB (data and secrets in ${dir})`);
const [kafka, mongo] = await Promise.all([provideKafka(), provideMongo()]);
log(`Kafka ${kafka.env.KAFKA_BROKERS} (${kafka.source}), MongoDB ${mongo.source}`);
// A broker or FerretDB started here keeps its data only while it runs: services that kept theirs from a run before would
// stand beside topics and read models that no longer hold it (their outboxes already past it, so nothing is published
// again). So each start from such servers begins from empty services' data; the secrets stay. KAFKA_BROKERS and
// MONGO_URL naming servers of your own keep everything across runs.
const ephemeral = kafka.source !== 'env' || mongo.source !== 'env';
if (ephemeral && SERVICES.some((service) => existsSync(join(dir, service)))) {
  log(`the broker or MongoDB started here holds nothing from an earlier run: the services' data in ${dir} starts empty too (set KAFKA_BROKERS and MONGO_URL to keep it)`);
  for (const service of SERVICES) rmSync(join(dir, service), { recursive: true, force: true });
}

const children = [];
for (const service of SERVICES) {
  const dataDir = join(dir, service);
  mkdirSync(dataDir, { recursive: true });
  const mongoUrl = new URL(mongo.env.MONGO_URL);
  mongoUrl.pathname = `/as2_${service.replace(/-/g, '_')}`;
  const child = spawn(process.execPath, [...APP_NODE_OPTIONS, join(root, 'dist/apps', service, 'main.js')], {
    env: {
      ...process.env,
      ...secrets,
      MODE: 'distributed',
      EVENT_STORE: 'sqlite',
      DATA_DIR: dataDir,
      PORT: String(servicePort[service]),
      HOST: '127.0.0.1',
      KAFKA_BROKERS: kafka.env.KAFKA_BROKERS,
      MONGO_URL: mongoUrl.toString(),
      TSA_DIR: join(dataDir, 'tsa'),
      // The connection tester signs with our keys and sends partners' credentials: it asks the two services that hold them.
      KEYSTORE_URL: `http://127.0.0.1:${servicePort['certificate-lifecycle']}`,
      PARTNER_REGISTRY_URL: `http://127.0.0.1:${servicePort['partner-registry']}`,
      CONNECTION_TEST_RECEIPT_URL: process.env.CONNECTION_TEST_RECEIPT_URL ?? `http://127.0.0.1:${port}/v1/connection-tests/mdn`,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  log(`${service} on 127.0.0.1:${servicePort[service]} (pid ${child.pid})`);
}

// The public URL: gateway/routes.json's first matching route, else its default, as the rendered nginx.conf does (on the
// decoded, normalised path: gateway-route.cjs).
const table = JSON.parse(readFileSync(join(root, 'gateway/routes.json'), 'utf8'));
// As nginx does (client_max_body_size 2m, request buffering on): a body is read whole before it goes to its service, so
// a service refusing it early (413 past BODY_LIMIT_BYTES) is answered as it said, not cut off into a 502; past 2 MiB the
// proxy refuses it itself, in the services' error shape.
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const BAD_PATH = JSON.stringify({ message: 'The request path could not be read.', error: { type: 'invalid_request_error', code: 'BAD_REQUEST' } });
const PAYLOAD_TOO_LARGE = JSON.stringify({ message: 'The request body is too large.', error: { type: 'invalid_request_error', code: 'PAYLOAD_TOO_LARGE' } });
const gateway = createServer(async (incoming, outgoing) => {
  const service = serviceFor(table, incoming.url);
  if (service === null) {
    outgoing.writeHead(400, { 'content-type': 'application/json; charset=utf-8', connection: 'close' }).end(BAD_PATH);
    return;
  }
  const chunks = [];
  let length = 0;
  try {
    for await (const chunk of incoming) {
      length += chunk.length;
      if (length > MAX_BODY_BYTES) {
        outgoing.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' }).end(PAYLOAD_TOO_LARGE);
        incoming.destroy();
        return;
      }
      chunks.push(chunk);
    }
  } catch {
    return outgoing.destroy();
  }
  const body = Buffer.concat(chunks, length);
  const { 'transfer-encoding': _chunked, ...headers } = incoming.headers;
  const upstream = request({ host: '127.0.0.1', port: servicePort[service], method: incoming.method, path: incoming.url, headers: { ...headers, 'content-length': String(body.length) } }, (answer) => {
    outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(outgoing);
  });
  upstream.on('error', () => {
    if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'application/json' });
    outgoing.end(JSON.stringify({ message: `${service} did not answer`, error: { type: 'api_error', code: 'BAD_GATEWAY' } }));
  });
  upstream.end(body);
});
gateway.listen(port, '127.0.0.1', () => log(`public URL http://127.0.0.1:${port} (mint tokens with JWT_SECRET=$(cat ${join(dir, 'jwt-secret')}) npm run -s mint-token -- …)`));

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  log('stopping');
  gateway.close();
  // A child ended by a signal has no exit code but a signal code: it is gone as well.
  const ended = (child) => child.exitCode !== null || child.signalCode !== null;
  await Promise.all(children.map((child) => new Promise((done) => (ended(child) ? done() : (child.once('exit', done), child.kill('SIGTERM'))))));
  await Promise.all([kafka.stop(), mongo.stop()]);
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) child.once('exit', (code) => !stopping && log(`a service exited (code ${code}); Ctrl-C stops the rest`));
