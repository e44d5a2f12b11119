import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { describeWithServer, eventually, lateTcpForward, type LateTcpForward } from '@as2-partners/kernel-testing';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { DistributedTestServices, signHs256TestToken } from '@as2-partners/platform-testing';

const SECRET = 'kafka-down-at-start-secret-0123456789';

describeWithServer('KAFKA_BROKERS', 'partner-registry started while Kafka is down (distributed mode)', (brokers) => {
  describeWithServer('MONGO_URL', 'and a real MongoDB-wire server', (mongoUrl) => {
    const database = `as2_kdown_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const account = `acct-${randomUUID().slice(0, 8)}`;
    let late: LateTcpForward;
    let services: DistributedTestServices;
    let app: NestFastifyApplication;
    const admin = () => `Bearer ${signHs256TestToken({ sub: 'it', account, tenant: 't1', roles: ['tenant_admin'], exp: Math.floor(Date.now() / 1000) + 600 }, SECRET)}`;

    beforeAll(async () => {
      late = await lateTcpForward(brokers.split(',')[0] as string);
      services = new DistributedTestServices({ brokers: late.address, mongoUrl, jwtSecret: SECRET });
    });

    afterAll(async () => {
      await services?.close();
      await late?.close();
    });

    it('starts, is ready and takes a create while no broker answers; once one does, the event it kept reaches the topic', async () => {
      // Before: the start failed ("Could not connect to Kafka"), so a restart during a broker outage took the API down.
      app = await services.start(PartnerRegistryModule, database, { env: { PARTNER_SECRETS_KEY: 'ab'.repeat(32) } });
      expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
      const as2Id = `KDOWN-${randomUUID().slice(0, 8).toUpperCase()}`;
      const created = await app.inject({
        method: 'POST',
        url: '/v1/partners',
        headers: { authorization: admin() },
        payload: { name: 'Kept While Kafka Was Down', as2_id: as2Id, url: 'https://as2.example.com/receive' },
      });
      expect(created.statusCode).toBe(201);
      const partnerId = created.json().data.id as string;

      await late.open();
      const kafka = new Kafka({ clientId: `it-kdown-${database}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
      const consumer = kafka.consumer({ groupId: `it-kdown-${database}` });
      await consumer.connect();
      const seen: string[] = [];
      try {
        await eventually(
          'the relay to create the topic',
          async () => {
            try {
              await consumer.subscribe({ topic: services.topic('as2.partner-registry.events'), fromBeginning: true });
              return true;
            } catch {
              return undefined;
            }
          },
          { timeoutMs: 60_000, intervalMs: 250 },
        );
        await consumer.run({ eachMessage: async ({ message }) => void seen.push(`${message.headers?.['ce_type']}:${message.headers?.['ce_subject']}`) });
        await eventually('partner.created.v1 on the topic', async () => (seen.includes(`partner.created.v1:${partnerId}`) ? true : undefined), { timeoutMs: 60_000, intervalMs: 250 });
      } finally {
        await consumer.disconnect();
      }
    }, 150_000);
  });
});
