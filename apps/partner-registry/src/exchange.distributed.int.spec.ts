import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';
import type { Connection } from 'mongoose';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { describeWithServer } from '@as2-partners/kernel-testing';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { DistributedTestServices, signHs256TestToken } from '@as2-partners/platform-testing';

const SECRET = 'distributed-integration-secret-0123456789';
const TOPIC = 'as2.partner-registry.events';

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return value === undefined ? undefined : String(value);
}

async function subscribeOnceTheTopicExists(consumer: Consumer, topic: string): Promise<void> {
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

interface SeenRecord {
  readonly key: string;
  readonly value: Record<string, any>;
  readonly headers: IHeaders;
}

describeWithServer('KAFKA_BROKERS', 'our side of exchanges in distributed mode: instances and partnerships on Kafka', (brokers) => {
  describeWithServer('MONGO_URL', 'with a MongoDB-wire read model', (mongoUrl) => {
    const database = `as2_it_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const account = `acct-${randomUUID().slice(0, 8)}`;
    const tenant = `t-${randomUUID().slice(0, 8)}`;
    const services = new DistributedTestServices({ brokers, mongoUrl, jwtSecret: SECRET });
    let app: NestFastifyApplication;
    let mongo: Connection;
    const headers = (roles: string[]) => ({
      authorization: `Bearer ${signHs256TestToken({ sub: 'it-user', account, tenant, roles, exp: Math.floor(Date.now() / 1000) + 600 }, SECRET)}`,
    });

    beforeAll(async () => {
      app = await services.start(PartnerRegistryModule, database, { env: { PARTNER_SECRETS_KEY: 'cd'.repeat(32) } });
      mongo = await services.mongo(database);
    }, 60_000);

    afterAll(() => services.close());

    it('an AS2 instance and a partnership created through the API reach the topic (CloudEvents, keyed by id) and the MongoDB read model', async () => {
      const admin = headers(['tenant_admin']);
      const instance = await app.inject({
        method: 'POST',
        url: '/v1/as2-instances',
        headers: admin,
        payload: { my_as2_id: 'IT-US', my_name: 'Us', my_as2_alias: 'it-us-key', my_email: 'as2@us.example.com' },
      });
      expect(instance.statusCode).toBe(201);
      const instanceId: string = instance.json().data.id;
      const partner = await app.inject({ method: 'POST', url: '/v1/partners', headers: admin, payload: { name: 'Them', as2_id: 'IT-THEM', url: 'https://as2.example.com/receive' } });
      expect(partner.statusCode).toBe(201);
      const partnerId: string = partner.json().data.id;
      const partnership = await app.inject({ method: 'POST', url: '/v1/partnerships', headers: admin, payload: { as2_instance_id: instanceId, partner_id: partnerId, mdn_mode: 'sync' } });
      expect(partnership.statusCode).toBe(201);
      const partnershipId: string = partnership.json().data.id;
      expect((await app.inject({ method: 'PATCH', url: `/v1/as2-instances/${instanceId}`, headers: admin, payload: { status: 'off' } })).statusCode).toBe(200);

      // Served from MongoDB: the documents are there, and the routing question is answered from them.
      expect(await mongo.db!.collection('partner_registry_as2_instances').findOne({ _id: instanceId as never })).toMatchObject({ account, tenant, myAs2Id: 'IT-US', status: 'off' });
      expect(await mongo.db!.collection('partner_registry_partnerships').findOne({ _id: partnershipId as never })).toMatchObject({ account, tenant, as2InstanceId: instanceId, partnerId });
      const resolved = await app.inject({ method: 'GET', url: '/v1/partnerships/resolve?as2_from=IT-US&as2_to=IT-THEM', headers: headers(['tenant_user']) });
      expect(resolved.statusCode).toBe(200);
      expect(resolved.json().data).toMatchObject({ partnership_id: partnershipId, direction: 'outbound', can_exchange: false, effective: { mdn_mode: 'sync' } });

      // What traffic control and the connection tester consume: every event on the registry's topic.
      const kafka = new Kafka({ clientId: `it-exchange-${database}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
      const consumer = kafka.consumer({ groupId: `it-exchange-${database}` });
      await consumer.connect();
      await subscribeOnceTheTopicExists(consumer, services.topic(TOPIC));
      const wanted = new Set(['as2_instance.created.v1', 'as2_instance.status_changed.v1', 'partnership.created.v1']);
      const seen = await new Promise<Map<string, SeenRecord>>((resolve, reject) => {
        const found = new Map<string, SeenRecord>();
        const timer = setTimeout(() => reject(new Error(`only ${[...found.keys()].join(', ')} seen on ${TOPIC} within 30 s`)), 30_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            const type = header(message.headers, 'ce_type') ?? '';
            const subject = header(message.headers, 'ce_subject');
            if (!wanted.has(type) || (subject !== instanceId && subject !== partnershipId)) return;
            found.set(type, { key: message.key!.toString(), value: JSON.parse(message.value!.toString()), headers: message.headers ?? {} });
            if (found.size === wanted.size) {
              clearTimeout(timer);
              resolve(found);
            }
          },
        });
      }).finally(() => consumer.disconnect());

      const created = seen.get('as2_instance.created.v1')!;
      expect(created.key).toBe(instanceId);
      expect(header(created.headers, 'ce_account')).toBe(account);
      expect(header(created.headers, 'ce_tenant')).toBe(tenant);
      expect(created.value['data']).toEqual({
        instanceId,
        account,
        tenant,
        myAs2Id: 'IT-US',
        myName: 'Us',
        myAs2Alias: 'it-us-key',
        myEmail: 'as2@us.example.com',
        status: 'on',
        createdAt: expect.any(String),
      });
      expect(seen.get('as2_instance.status_changed.v1')!.value['data']).toMatchObject({ instanceId, account, tenant, myAs2Id: 'IT-US', status: 'off' });
      const paired = seen.get('partnership.created.v1')!;
      expect(paired.key).toBe(partnershipId);
      expect(header(paired.headers, 'ce_tenant')).toBe(tenant);
      expect(paired.value['data']).toMatchObject({ partnershipId, account, tenant, as2InstanceId: instanceId, partnerId, overrides: { mdnMode: 'sync' } });
    }, 90_000);

    it("counts the gateway's plain JSON records from as2.gateway.messages in the partner's statistics, once each, in any order", async () => {
      const admin = headers(['tenant_admin']);
      const partner = await app.inject({ method: 'POST', url: '/v1/partners', headers: admin, payload: { name: 'Counted', as2_id: 'IT-COUNTED', url: 'https://as2.example.com/receive' } });
      expect(partner.statusCode).toBe(201);
      const partnerId: string = partner.json().data.id;
      const outcome = (messageId: string, status: string, at: string, extra: Record<string, unknown> = {}) => ({
        key: messageId,
        value: JSON.stringify({ message_id: messageId, direction: 'outbound', as2_from: 'IT-US', as2_to: 'IT-COUNTED', status, occurred_at: at, account, tenant, ...extra }),
      });
      const kafka = new Kafka({ clientId: `it-gateway-${database}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: services.topic('as2.gateway.messages'),
        messages: [
          outcome('gw-1', 'delivered', '2026-11-30T10:02:00.000Z'),
          outcome('gw-1', 'sent', '2026-11-30T10:00:00.000Z'),
          outcome('gw-1', 'delivered', '2026-11-30T10:02:00.000Z'),
          outcome('gw-2', 'failed', '2026-11-30T10:03:00.000Z'),
          outcome('gw-3', 'delivered', '2026-11-30T10:04:00.000Z', { direction: 'inbound', as2_from: 'IT-COUNTED', as2_to: 'IT-US' }),
          // Another account's record naming the same tenant and partner id lands in its own account.
          outcome('gw-4', 'delivered', '2026-11-30T10:05:00.000Z', { account: `${account}-other` }),
          // A record no retry can read: parked at its first attempt.
          outcome('gw-bad', 'delivered', '2026-11-30T10:06:00.000Z', { extra_field: 1 }),
        ],
      });
      await producer.disconnect();
      const expected = { total_sent: 2, total_received: 1, success_rate: 66.7, last_message_at: '2026-11-30T10:04:00.000000Z' };
      // Until every record is counted (records of one partition arrive in turn): a partial count is no answer yet.
      const deadline = Date.now() + 60_000;
      let stats: Record<string, unknown> | null = null;
      while (Date.now() < deadline) {
        stats = (await app.inject({ method: 'GET', url: `/v1/partners/${partnerId}`, headers: headers(['tenant_user']) })).json().data.message_stats;
        if (isDeepStrictEqual(stats, expected)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(stats).toEqual(expected);

      // The consumer is one of the service's followers (health, metrics, admin), and its parked records are its to replay.
      const operator = headers(['operator']);
      let parked: { id: string; attempts: number; error: string }[] = [];
      while (Date.now() < deadline && parked.length === 0) {
        parked = (await app.inject({ method: 'GET', url: '/v1/admin/parked-events?consumer=partner-registry.gateway-messages', headers: operator })).json().data;
        if (parked.length === 0) await new Promise((r) => setTimeout(r, 250));
      }
      expect(parked.map((entry) => [entry.attempts, entry.error])).toEqual([[1, 'Invalid gateway record: extra_field']]);
      const followers = (await app.inject({ method: 'GET', url: '/v1/admin/followers', headers: operator })).json().data as { name: string; parked: number; stalled_seconds?: number }[];
      expect(followers.find((follower) => follower.name === 'partner-registry.gateway-messages')).toMatchObject({ parked: 1 });
      const replay = await app.inject({ method: 'POST', url: `/v1/admin/parked-events/${encodeURIComponent(parked[0].id)}/replay`, headers: operator });
      expect([replay.statusCode, replay.json().error?.code]).toEqual([409, 'PARKED_EVENT_REPLAY_FAILED']);
    }, 120_000);
  });
});
