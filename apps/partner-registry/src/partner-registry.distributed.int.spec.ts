import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';
import type { Connection } from 'mongoose';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { describeWithServer } from '@as2-partners/kernel-testing';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { IDEMPOTENCY_KEYS_COLLECTION } from '@as2-partners/platform';
import { DistributedTestServices, signHs256TestToken } from '@as2-partners/platform-testing';
import { SHARED_DATABASE } from '@as2-partners/read-model-mongo';

const SECRET = 'distributed-integration-secret-0123456789';
const TOPIC = 'as2.partner-registry.events';

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return value === undefined ? undefined : String(value);
}

/** The relay creates the topic with its first publish, which may still be under way. */
async function subscribeOnceTheRelayCreatedTheTopic(consumer: Consumer, topic: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describeWithServer('KAFKA_BROKERS', 'partner-registry, distributed mode on real Kafka', (brokers) => {
  describeWithServer('MONGO_URL', 'and a real MongoDB-wire server', (mongoUrl) => {
    const database = `as2_it_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const account = `acct-${randomUUID().slice(0, 8)}`;
    const services = new DistributedTestServices({ brokers, mongoUrl, jwtSecret: SECRET });
    let app: NestFastifyApplication;
    let mongo: Connection;
    const logLines: string[] = [];
    const token = (claims: Record<string, unknown>) =>
      signHs256TestToken({ sub: 'it-user', account, exp: Math.floor(Date.now() / 1000) + 600, ...claims }, SECRET);

    beforeAll(async () => {
      app = await services.start(PartnerRegistryModule, database, {
        env: { PARTNER_SECRETS_KEY: 'ab'.repeat(32) },
        logDestination: { write: (chunk: string) => void logLines.push(...chunk.split('\n').filter((line) => line.length > 0)) },
      });
      mongo = await services.mongo(database);
    }, 60_000);

    afterAll(() => services.close());

    it('starts without an ERROR line, in one JSON format (kafkajs included), even where the topic exists already', () => {
      const entries = logLines.map((line) => JSON.parse(line) as { level: string; msg: string });
      expect(entries.filter((e) => e.level === 'error' || e.level === 'fatal')).toEqual([]);
      expect(logLines.join('\n')).not.toContain('Topic creation errors');
    });

    it('shows its consumer groups\' lag per topic and partition at /metrics', async () => {
      const deadline = Date.now() + 30_000;
      let text = '';
      while (!/^as2_kafka_consumer_lag\{group="it-[^"]+",topic="as2\.certificate-lifecycle\.events",partition="\d+"\} \d+$/m.test(text) && Date.now() < deadline) {
        text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(text).toMatch(/^as2_kafka_consumer_lag\{group="it-[^"]+",topic="as2\.certificate-lifecycle\.events",partition="\d+"\} \d+$/m);
      expect(text).toMatch(/^as2_follower_lag_events\{follower="outbox:partner-registry",kind="relay"\} \d+$/m);
    }, 60_000);

    it('keeps Idempotency-Keys in MongoDB: a retried create replays the first answer', async () => {
      const as2Id = `IDEM-${randomUUID().slice(0, 8).toUpperCase()}`;
      const post = () =>
        app.inject({
          method: 'POST',
          url: '/v1/partners',
          headers: { authorization: `Bearer ${token({ tenant: 't1', roles: ['tenant_admin'] })}`, 'idempotency-key': `key-${as2Id}` },
          payload: { name: 'Retried Partner', as2_id: as2Id, url: 'https://as2.example.com/receive' },
        });
      const first = await post();
      expect(first.statusCode).toBe(201);
      const again = await post();
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());
      // In the database every service of the deployment shares: a key is the tenant's on every service's routes.
      expect(await mongo.getClient().db(SHARED_DATABASE).collection(IDEMPOTENCY_KEYS_COLLECTION).countDocuments({ _id: `${account}/t1/key-${as2Id}` as never })).toBe(1);
      expect(await mongo.db!.collection(IDEMPOTENCY_KEYS_COLLECTION).countDocuments({})).toBe(0);
    }, 60_000);

    it('reports Kafka and MongoDB ready', async () => {
      const res = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(200);
      expect(res.json().info).toMatchObject({ eventStore: { status: 'up' }, readModelStore: { status: 'up' }, kafka: { status: 'up' } });
    });

    it('puts a partner created through the API on the Kafka topic as a CloudEvent and in the MongoDB read model', async () => {
      const as2Id = `IT-${randomUUID().slice(0, 8).toUpperCase()}`;
      const created = await app.inject({
        method: 'POST',
        url: '/v1/partners',
        headers: {
          authorization: `Bearer ${token({ tenant: 't1', roles: ['tenant_admin'] })}`,
          'x-correlation-id': `corr-${as2Id}`,
          traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`,
          tracestate: 'vendor=it',
        },
        payload: { name: 'Distributed Partner', as2_id: as2Id, url: 'https://as2.example.com/receive', sign: true, sign_algorithm: 'SHA256withRSA' },
      });
      expect(created.statusCode).toBe(201);
      const partnerId: string = created.json().data.id;

      // The read model in MongoDB holds the tenant's view of the partner, and the API serves it from there.
      const view = await mongo.db!.collection('partner_registry_partner_views').findOne({ partnerId });
      expect(view).toMatchObject({ account, tenant: 't1', partnerId, as2Id, type: 'tenant' });
      const read = await app.inject({ method: 'GET', url: `/v1/partners/${partnerId}`, headers: { authorization: `Bearer ${token({ tenant: 't1', roles: ['tenant_user'] })}` } });
      expect(read.statusCode).toBe(200);
      expect(read.json().data).toMatchObject({ id: partnerId, as2_id: as2Id, type: 'tenant' });

      // The relay published it: consume the topic from the beginning until this partner's creation shows up.
      const kafka = new Kafka({ clientId: `it-reader-${database}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
      const consumer = kafka.consumer({ groupId: `it-reader-${database}` });
      await consumer.connect();
      await subscribeOnceTheRelayCreatedTheTopic(consumer, services.topic(TOPIC));
      const record = await new Promise<{ key: string; value: Record<string, any>; headers: IHeaders }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`partner.created.v1 for ${partnerId} not seen on ${TOPIC} within 30 s`)), 30_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            if (header(message.headers, 'ce_type') !== 'partner.created.v1' || header(message.headers, 'ce_subject') !== partnerId) return;
            clearTimeout(timer);
            resolve({ key: message.key!.toString(), value: JSON.parse(message.value!.toString()), headers: message.headers ?? {} });
          },
        });
      }).finally(() => consumer.disconnect());

      expect(record.key).toBe(partnerId);
      expect(header(record.headers, 'ce_specversion')).toBe('1.0');
      expect(header(record.headers, 'ce_source')).toBe('/as2-partners/partner-registry');
      expect(header(record.headers, 'ce_id')).toBe(record.value['id']);
      expect(header(record.headers, 'ce_time')).toBe(record.value['metadata'].occurredAt);
      expect(header(record.headers, 'content-type')).toBe('application/json');
      expect(header(record.headers, 'ce_account')).toBe(account);
      expect(header(record.headers, 'ce_tenant')).toBe('t1');
      expect(header(record.headers, 'ce_correlationid')).toBe(`corr-${as2Id}`);
      // The request's trace travels on: in the envelope's metadata and as CloudEvents and W3C headers.
      const traceparent = header(record.headers, 'traceparent');
      expect(traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
      expect(header(record.headers, 'ce_traceparent')).toBe(traceparent);
      expect(header(record.headers, 'tracestate')).toBe('vendor=it');
      expect(record.value['metadata']).toMatchObject({ traceparent, tracestate: 'vendor=it' });
      expect(record.value).toMatchObject({ type: 'partner.created.v1', stream: `partner-${partnerId}`, revision: 0 });
      expect(JSON.stringify(record.value['data'])).toContain(as2Id);
    }, 60_000);

    it('restarts against its existing event store and MongoDB database (indexes already there) and keeps serving reads and writes', async () => {
      const headers = { authorization: `Bearer ${token({ tenant: 't-restart', roles: ['tenant_admin'] })}` };
      const partner = (as2Id: string) => ({ name: `Restart ${as2Id}`, as2_id: as2Id, url: 'https://as2.example.com/receive' });
      const first = await app.inject({ method: 'POST', url: '/v1/partners', headers, payload: partner('RESTART-1') });
      expect(first.statusCode).toBe(201);
      const firstId: string = first.json().data.id;

      app = await services.restart(app);

      expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
      const read = await app.inject({ method: 'GET', url: `/v1/partners/${firstId}`, headers });
      expect([read.statusCode, read.json().data?.as2_id]).toEqual([200, 'RESTART-1']);
      const second = await app.inject({ method: 'POST', url: '/v1/partners', headers, payload: partner('RESTART-2') });
      expect(second.statusCode).toBe(201);
      // The directory survived the restart: the first AS2 id is still taken.
      const duplicate = await app.inject({ method: 'POST', url: '/v1/partners', headers, payload: partner('RESTART-1') });
      expect([duplicate.statusCode, duplicate.json().error?.code]).toEqual([422, 'DUPLICATE_AS2_ID']);
      const list = await app.inject({ method: 'GET', url: '/v1/partners?search=restart', headers });
      expect(list.statusCode).toBe(200);
      expect(list.json().data.map((p: { as2_id: string }) => p.as2_id).sort()).toEqual(['RESTART-1', 'RESTART-2']);
    }, 90_000);

    it('deletes a tenant: its data key leaves MongoDB, its partners leave as partner.deleted.v1 on Kafka, its tokens and its id are refused', async () => {
      const tenant = `gone-${randomUUID().slice(0, 8)}`;
      const admin = { authorization: `Bearer ${token({ roles: ['account_admin'] })}` };
      const tenantAdmin = { authorization: `Bearer ${token({ tenant, roles: ['tenant_admin'] })}` };
      expect((await app.inject({ method: 'POST', url: `/v1/accounts/${account}/tenants`, headers: admin, payload: { id: tenant, name: 'Gone', plan: 'starter' } })).statusCode).toBe(201);
      const created = await app.inject({
        method: 'POST',
        url: '/v1/partners',
        headers: tenantAdmin,
        payload: { name: 'Doomed', as2_id: `DOOMED-${tenant}`, url: 'https://as2.example.com/receive', http_auth: { enabled: true, username: 'gw', password: 'distributed-secret' } },
      });
      expect(created.statusCode).toBe(201);
      const partnerId: string = created.json().data.id;
      const keys = mongo.db!.collection('partner_registry_tenant_data_keys');
      const [key] = await keys.find({ account, tenant }).toArray();
      expect(key?.['wrappedKey']).toEqual(expect.any(String));

      const deleted = await app.inject({ method: 'DELETE', url: `/v1/accounts/${account}/tenants/${tenant}`, headers: admin });
      expect(deleted.statusCode).toBe(200);
      expect(await keys.countDocuments({ account, tenant })).toBe(0);
      const read = await app.inject({ method: 'GET', url: `/v1/partners/${partnerId}`, headers: tenantAdmin });
      expect([read.statusCode, read.json().error.code]).toEqual([403, 'TENANT_DELETED']);
      const again = await app.inject({ method: 'POST', url: `/v1/accounts/${account}/tenants`, headers: admin, payload: { id: tenant, name: 'Again' } });
      expect([again.statusCode, again.json().error.code]).toEqual([409, 'TENANT_ID_RETIRED']);

      const kafka = new Kafka({ clientId: `it-deletion-${database}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
      const consumer = kafka.consumer({ groupId: `it-deletion-${database}` });
      await consumer.connect();
      await subscribeOnceTheRelayCreatedTheTopic(consumer, services.topic(TOPIC));
      const { sealed, ceTenant } = await new Promise<{ sealed: string; ceTenant: string | undefined }>((resolve, reject) => {
        let sealedPassword: string | null = null;
        const timer = setTimeout(() => reject(new Error(`partner.deleted.v1 for ${partnerId} not seen on ${TOPIC} within 30 s`)), 30_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            if (header(message.headers, 'ce_subject') !== partnerId) return;
            const value = JSON.parse(message.value!.toString());
            if (value.type === 'partner.created.v1') sealedPassword = value.data.settings.httpAuth.sealedPassword;
            if (value.type !== 'partner.deleted.v1' || sealedPassword === null) return;
            clearTimeout(timer);
            resolve({ sealed: sealedPassword, ceTenant: header(message.headers, 'ce_tenant') });
          },
        });
      }).finally(() => consumer.disconnect());
      expect(ceTenant).toBe(tenant);
      // Published sealed with the tenant's data key, which no longer exists anywhere.
      expect(sealed).toMatch(new RegExp(`^v2\\.${key!['_id']}\\.`));
      expect(sealed).not.toContain('distributed-secret');
    }, 90_000);
  });
});
