import { createPrivateKey, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { createConnection, type Connection } from 'mongoose';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { prefixedTopic } from '@as2-partners/kernel';
import { describeWithServer, eventually } from '@as2-partners/kernel-testing';
import { kafkaMessageOf } from '@as2-partners/messaging-kafka';
import { loadPlatformConfig } from '@as2-partners/platform';
import { createTestHttpApp, signHs256TestToken } from '@as2-partners/platform-testing';

// A fresh broker's first consumer-group joins take many seconds on a loaded machine.
jest.setTimeout(240_000);
const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, { timeoutMs: 90_000, intervalMs: 250 });
const SECRET = 'our-keys-distributed-secret-0123456789';
const KEYS_TOPIC = 'as2.certificate-lifecycle.events';
const REGISTRY_TOPIC = 'as2.partner-registry.events';

function withDatabase(url: string, db: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${db}`;
  return parsed.toString();
}

/** The private key as PEM, DER base64 and hex, and its secret exponent and primes raw and hex. */
function needlesOf(keyPem: string): { name: string; bytes: Buffer }[] {
  const key = createPrivateKey(keyPem);
  const der = key.export({ format: 'der', type: 'pkcs8' });
  const jwk = key.export({ format: 'jwk' }) as Record<string, string>;
  return [
    { name: 'PEM', bytes: Buffer.from(keyPem.trim()) },
    { name: 'DER base64', bytes: Buffer.from(der.toString('base64')) },
    { name: 'DER hex', bytes: Buffer.from(der.toString('hex')) },
    ...['d', 'p', 'q'].flatMap((part) => {
      const raw = Buffer.from(jwk[part], 'base64url');
      return [
        { name: `${part} raw`, bytes: raw },
        { name: `${part} hex`, bytes: Buffer.from(raw.toString('hex')) },
        { name: `${part} base64`, bytes: Buffer.from(raw.toString('base64').replace(/=+$/, '')) },
      ];
    }),
  ];
}

describeWithServer('KAFKA_BROKERS', 'our keys in distributed mode on real Kafka', (brokers) => {
  describeWithServer('MONGO_URL', 'and a real MongoDB-wire server', (mongoUrl) => {
    const run = randomUUID().replace(/-/g, '').slice(0, 12);
    const account = `acct-${run}`;
    const tenant = 't1';
    const database = `as2_keys_cl_${run}`;
    // This suite's own topics (KAFKA_TOPIC_PREFIX): no service of another suite on the broker consumes its events.
    const topicPrefix = `it-${run}`;
    const onBroker = (topic: string) => prefixedTopic(topicPrefix, topic);
    let app: NestFastifyApplication;
    let mongo: Connection;
    let dataDir: string;
    const kafka = new Kafka({ clientId: `it-keys-${run}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    const logs: Buffer[] = [];
    const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
    const token = (roles: string[]) => `Bearer ${signHs256TestToken({ sub: 'it-user', account, tenant, roles, exp: Math.floor(Date.now() / 1000) + 600 }, SECRET)}`;
    const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, roles = ['tenant_admin']) => {
      const res = await app.inject({ method, url, headers: { authorization: token(roles) }, ...(payload === undefined ? {} : { payload }) });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    };

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'as2-keys-distributed-'));
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: onBroker(REGISTRY_TOPIC) }, { topic: onBroker(KEYS_TOPIC) }] }).catch(() => undefined);
      await admin.disconnect();
      const capture = (chunk: string | Uint8Array) => {
        logs.push(Buffer.from(chunk));
        return true;
      };
      process.stdout.write = capture as typeof process.stdout.write;
      process.stderr.write = capture as typeof process.stderr.write;
      const config = loadPlatformConfig({
        MODE: 'distributed',
        ...(process.env['ESDB_URL'] ? { ESDB_URL: process.env['ESDB_URL'] } : { EVENT_STORE: 'sqlite' }),
        KAFKA_BROKERS: brokers,
        KAFKA_TOPIC_PREFIX: topicPrefix,
        MONGO_URL: withDatabase(mongoUrl, database),
        DATA_DIR: dataDir,
        JWT_SECRET: SECRET,
        KEYSTORE_MASTER_KEY: Buffer.alloc(32, 0x5a).toString('base64'),
        // Distributed mode keeps the bundled TSA's identity where every replica and restart finds it.
        TSA_DIR: join(dataDir, 'tsa'),
        LOG_LEVEL: 'debug',
      });
      // The JSON logger writes to its own destination (not through process.stdout.write): captured the same way.
      const logDestination = { write: (line: string) => void logs.push(Buffer.from(line)) };
      app = await createTestHttpApp(CertificateLifecycleModule, config, { kafkaClientId: `it-${database}`, consumerGroupNamespace: `it-${database}`, logDestination });
      mongo = await createConnection(withDatabase(mongoUrl, database)).asPromise();
    }, 120_000);

    afterAll(async () => {
      process.stdout.write = writes.out;
      process.stderr.write = writes.err;
      await app?.close();
      await mongo?.db?.dropDatabase().catch(() => undefined);
      await mongo?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('imports a PKCS#12 key, learns its instance over Kafka, signs over the internal route, and leaves its bytes in no Kafka record, MongoDB document or log line', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'as2-keys-openssl-'));
      const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '30', '-subj', '/CN=Distributed Us');
      openssl('pkcs12', '-export', '-inkey', join(dir, 'k.pem'), '-in', join(dir, 'c.pem'), '-out', join(dir, 'k.p12'), '-passout', 'pass:dist-pass');
      const keyPem = await readFile(join(dir, 'k.pem'), 'utf8');
      const created = await call('POST', '/v1/keys', { alias: 'dist-alias', pkcs12: (await readFile(join(dir, 'k.p12'))).toString('base64'), password: 'dist-pass' });
      expect(created.status).toBe(201);
      const keyId = created.body.data.id as string;

      // The partner-registry's instance event, as its relay publishes it.
      const producer = kafka.producer();
      await producer.connect();
      const instance = {
        id: randomUUID(), type: 'as2_instance.created.v1', schemaVersion: 1, stream: `as2_instance-ins_${run}`, revision: 0, position: 1,
        data: { instanceId: `ins_${run}`, account, tenant, myAs2Id: 'DIST-US', myName: 'Us', myAs2Alias: 'dist-alias', myEmail: 'as2@us.example', status: 'on', createdAt: new Date().toISOString() },
        metadata: { account, tenant, correlationId: randomUUID(), causationId: null, actor: { type: 'user' as const, id: 'it' }, occurredAt: new Date().toISOString() },
      };
      const message = kafkaMessageOf(instance, REGISTRY_TOPIC);
      await producer.send({ topic: onBroker(REGISTRY_TOPIC), messages: [message] });
      await producer.disconnect();
      await until('the instance to arrive over Kafka', async () => ((await call('GET', `/v1/keys/${keyId}`)).body.data.used_by.length === 1 ? true : undefined));
      const refused = await call('DELETE', `/v1/keys/${keyId}`);
      expect([refused.status, refused.body.error.code]).toEqual([409, 'KEY_IN_USE']);

      const content = Buffer.from('sign me over the wire\r\n');
      const signed = await call('POST', '/internal/v1/keys/dist-alias/sign', { content: content.toString('base64') }, ['gateway']);
      expect(signed.status).toBe(200);
      await writeFile(join(dir, 'sig.der'), Buffer.from(signed.body.data.signature, 'base64'));
      await writeFile(join(dir, 'content.txt'), content);
      openssl('cms', '-verify', '-binary', '-inform', 'DER', '-in', join(dir, 'sig.der'), '-content', join(dir, 'content.txt'), '-CAfile', join(dir, 'c.pem'), '-purpose', 'any');

      // Every record of the service's topic, until key.created.v1 for this key has been seen.
      const records: Buffer[] = [];
      const consumer = kafka.consumer({ groupId: `it-keys-reader-${run}` });
      await consumer.connect();
      await consumer.subscribe({ topic: onBroker(KEYS_TOPIC), fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message: m }) => void records.push(Buffer.concat([m.key ?? Buffer.alloc(0), m.value ?? Buffer.alloc(0), Buffer.from(JSON.stringify(m.headers ?? {}))])) });
      await until('key.created.v1 on Kafka', async () => (records.some((r) => r.includes(Buffer.from(keyId)) && r.includes(Buffer.from('key.created.v1'))) ? true : undefined));
      await sleep(500);
      await consumer.disconnect();

      const documents: Buffer[] = [];
      for (const collection of await mongo.db!.listCollections().toArray()) {
        documents.push(Buffer.from(JSON.stringify(await mongo.db!.collection(collection.name).find({}).toArray())));
      }
      const haystacks = [
        { name: 'Kafka records', bytes: Buffer.concat(records) },
        { name: 'MongoDB', bytes: Buffer.concat(documents) },
        { name: 'logs', bytes: Buffer.concat(logs) },
      ];
      // The sealed key is in MongoDB (its blob id is found), sealed: the key's bytes are not.
      expect(documents.some((d) => d.includes(Buffer.from('skb_')))).toBe(true);
      const needles = [...needlesOf(keyPem), { name: 'password', bytes: Buffer.from('dist-pass') }];
      const leaks = haystacks.flatMap((h) => needles.filter((n) => h.bytes.includes(n.bytes)).map((n) => `${n.name} in ${h.name}`));
      expect(leaks).toEqual([]);
      await rm(dir, { recursive: true, force: true });
    });
  });
});
