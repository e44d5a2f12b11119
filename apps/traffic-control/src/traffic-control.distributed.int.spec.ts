import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { topicOf, type RecordedEvent } from '@as2-partners/kernel';
import { describeWithServer, eventually } from '@as2-partners/kernel-testing';
import { KafkaEventBus } from '@as2-partners/messaging-kafka';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { DistributedTestServices, signHs256TestToken } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';

const SECRET = 'traffic-control-distributed-secret-0123456';
const HOUR = 3_600_000;
const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, { timeoutMs: 45_000, intervalMs: 100 });

// The traffic service's clock: real time plus the jumps the test makes to reach a window's instants.
let clockOffsetMs = 0;
const clockNow = () => new Date(Date.now() + clockOffsetMs);

interface ApiResponse {
  readonly status: number;
  readonly body: any;
}

/**
 * Both services in distributed mode on real Kafka and a real MongoDB-wire server (and EventStoreDB where one is
 * reachable), notices through real SMTP: the registry's partners reach the traffic service over Kafka, pauses change
 * the gateway's decision at once, a window runs on time and once, and a blocked message produces one e-mail.
 */
describeWithServer('KAFKA_BROKERS', 'traffic-control, distributed mode on real Kafka', (brokers) => {
  describeWithServer('MONGO_URL', 'and a real MongoDB-wire server', (mongoUrl) => {
    describeWithServer('SMTP_URL', 'and real SMTP', (smtpUrl) => {
      const run = randomUUID().replace(/-/g, '').slice(0, 10);
      const databases = { registry: `as2_it_reg_${run}`, traffic: `as2_it_traffic_${run}` };
      const account = `acct-${run}`;
      const tenant = 'plant-1';
      const noticeAddress = `ops-${run}@notices.example`;
      const mailpit = process.env['MAILPIT_API_URL'] as string;
      let registry: NestFastifyApplication;
      let traffic: NestFastifyApplication;
      let bus: KafkaEventBus;
      const services = new DistributedTestServices({ brokers, mongoUrl, jwtSecret: SECRET });
      const token = (claims: Record<string, unknown>) => signHs256TestToken({ sub: 'it-admin', account, exp: Math.floor(Date.now() / 1000) + 900, ...claims }, SECRET);
      const admin = token({ tenant, roles: ['tenant_admin'] });
      const gateway = token({ sub: 'gw', roles: ['gateway'] });

      const call = async (app: NestFastifyApplication, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, bearer: string, payload?: unknown): Promise<ApiResponse> => {
        const res = await app.inject({ method, url, headers: { authorization: `Bearer ${bearer}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
        return { status: res.statusCode, body: res.body ? res.json() : undefined };
      };
      const decide = async (direction: 'inbound' | 'outbound', partnerAs2: string, ours: string, messageId: string = randomUUID()) =>
        (await call(traffic, 'POST', '/v1/traffic/decisions', gateway, { direction, as2_from: direction === 'inbound' ? partnerAs2 : ours, as2_to: direction === 'inbound' ? ours : partnerAs2, message_id: messageId, channel: 'sftp' })).body;

      let position = 0;
      async function publishRegistryEvent(type: string, data: Record<string, unknown>): Promise<void> {
        position += 1;
        const event: RecordedEvent = {
          id: randomUUID(),
          type,
          schemaVersion: 1,
          data,
          metadata: { account, tenant, correlationId: randomUUID(), causationId: null, actor: { type: 'user', id: 'it' }, occurredAt: new Date().toISOString() },
          stream: `as2_instance-${String(data['instanceId'])}`,
          revision: position - 1,
          position,
        };
        await bus.publish(services.topic(topicOf('partner-registry')), [event]);
      }

      async function mailsTo(address: string): Promise<{ text: string }[]> {
        const list = (await (await fetch(`${mailpit}/api/v1/messages?limit=500`)).json()) as { messages: { ID: string; To: { Address: string }[] }[] };
        const mine = list.messages.filter((m) => m.To.some((to) => to.Address === address));
        return Promise.all(mine.map(async (m) => ({ text: ((await (await fetch(`${mailpit}/api/v1/message/${m.ID}`)).json()) as { Text: string }).Text })));
      }

      /** A partner in the registry and an instance of ours, known to the traffic service (over Kafka). */
      async function pair(name: string) {
        const as2Id = `${name}-${run}`.toUpperCase();
        const ours = `US-${name}-${run}`.toUpperCase();
        const instanceId = `ins_${name}_${run}`;
        const created = await call(registry, 'POST', '/v1/partners', admin, { name, as2_id: as2Id, url: `https://${name}.example.com/as2` });
        expect(created.status).toBe(201);
        await publishRegistryEvent('as2_instance.created.v1', { instanceId, account, tenant, myAs2Id: ours, myName: ours, myAs2Alias: ours, myEmail: 'as2@example.com', status: 'on', createdAt: new Date().toISOString() });
        await until(`${name} known to the traffic service`, async () => ((await decide('inbound', as2Id, ours)).decision === 'accept' ? true : undefined));
        return { partnerId: created.body.data.id as string, as2Id, ours, instanceId };
      }

      beforeAll(async () => {
        if (!mailpit) throw new Error('MAILPIT_API_URL is not set: run the suite through `npm test`, which provisions Mailpit with SMTP_URL');
        bus = await KafkaEventBus.connect({ clientId: `it-fixture-${run}`, brokers: brokers.split(',') });
        [registry, traffic] = await Promise.all([
          services.start(PartnerRegistryModule, databases.registry, { env: { PARTNER_SECRETS_KEY: 'ab'.repeat(32) } }),
          services.start(TrafficControlModule, databases.traffic, {
            env: { PARTNER_SECRETS_KEY: 'ab'.repeat(32), UNKNOWN_PARTNER_WAIT_MS: '30000', SMTP_URL: smtpUrl, TRAFFIC_NOTICE_DEFAULT_EMAIL: noticeAddress, TRAFFIC_NOTICE_GATHER_MS: '200', TRAFFIC_SCHEDULER_INTERVAL_MS: '100' },
            clock: { now: clockNow },
          }),
        ]);
      }, 120_000);

      afterAll(async () => {
        await Promise.allSettled([services.close(), bus?.close()]);
      });

      it('a pause through the API changes the very next decision; a blocked message gives exactly one e-mail naming it', async () => {
        const { partnerId, as2Id, ours } = await pair('acme');
        const put = await call(traffic, 'PUT', `/v1/partners/${partnerId}/traffic/outgoing`, admin, { paused: true, reason: 'inventory' });
        // 200, not 202: answered once the write is visible, the decisions' directory included.
        expect(put.status).toBe(200);
        const messageId = `<blocked-${run}@it>`;
        expect((await decide('outbound', as2Id, ours, messageId)).decision).toBe('block');
        const mails = await until('the notice e-mail', async () => {
          const found = (await mailsTo(noticeAddress)).filter((m) => m.text.includes(messageId));
          return found.length > 0 ? found : undefined;
        });
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect((await mailsTo(noticeAddress)).filter((m) => m.text.includes(messageId))).toHaveLength(1);
        expect(mails[0].text).toContain('inventory');
      }, 120_000);

      it('a window pauses at its start and resumes at its end, once each', async () => {
        const { partnerId, as2Id, ours } = await pair('window');
        const startsAt = new Date(clockNow().getTime() + HOUR);
        const w = await call(traffic, 'POST', `/v1/partners/${partnerId}/traffic/windows`, admin, { direction: 'incoming', starts_at: startsAt.toISOString(), ends_at: new Date(startsAt.getTime() + HOUR).toISOString(), response: 'error_mdn', reason: 'upgrade' });
        expect(w.status).toBe(201);
        expect((await decide('inbound', as2Id, ours)).decision).toBe('accept');
        clockOffsetMs += HOUR;
        expect((await decide('inbound', as2Id, ours)).decision).toBe('error_mdn');
        const types = async () => ((await call(traffic, 'GET', `/v1/partners/${partnerId}/traffic/timeline`, admin)).body.data as { type: string }[]).map((e) => e.type).reverse();
        await until('the window start', async () => ((await types()).includes('traffic.paused.v1') ? true : undefined));
        clockOffsetMs += HOUR;
        expect((await decide('inbound', as2Id, ours)).decision).toBe('accept');
        await until('the window end', async () => ((await types()).includes('traffic.resumed.v1') ? true : undefined));
        await new Promise((resolve) => setTimeout(resolve, 1000));
        expect(await types()).toEqual(['traffic.window_scheduled.v1', 'traffic.paused.v1', 'traffic.resumed.v1']);
      }, 120_000);

      it('an instance turned off rejects both directions', async () => {
        const { as2Id, ours, instanceId } = await pair('off');
        await publishRegistryEvent('as2_instance.status_changed.v1', { instanceId, account, tenant, myAs2Id: ours, status: 'off', changedAt: new Date().toISOString() });
        await until('the instance off', async () => ((await decide('inbound', as2Id, ours)).reason_code === 'AS2_INSTANCE_OFF' ? true : undefined));
        expect(await decide('outbound', as2Id, ours)).toMatchObject({ decision: 'reject', reason_code: 'AS2_INSTANCE_OFF' });
      }, 120_000);

      it('deleting a partner in the registry makes its pair reject with PARTNER_NOT_FOUND', async () => {
        const { partnerId, as2Id, ours } = await pair('gone');
        expect((await call(registry, 'DELETE', `/v1/partners/${partnerId}`, admin)).status).toBe(200);
        await until('the deletion', async () => ((await decide('inbound', as2Id, ours)).reason_code === 'PARTNER_NOT_FOUND' ? true : undefined));
        expect(await decide('outbound', as2Id, ours)).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_NOT_FOUND' });
      }, 120_000);
    });
  });
});
