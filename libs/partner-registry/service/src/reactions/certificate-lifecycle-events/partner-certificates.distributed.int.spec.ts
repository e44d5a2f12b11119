import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EVENT_BUS, type EventBus } from '@as2-partners/kernel';
import { describeWithServer } from '@as2-partners/kernel-testing';
import { loadPlatformConfig } from '@as2-partners/platform';
import { signHs256TestToken, createTestHttpApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../../partner-registry.module';
import { CertificateLifecycleEventFeed } from './certificate-lifecycle-event-feed';
import { CERTIFICATE_LIFECYCLE_TOPIC } from './certificate-lifecycle-events';

const SECRET = 'partner-certificates-distributed-secret-0123';

function withDatabase(url: string, db: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${db}`;
  return parsed.toString();
}

describeWithServer('KAFKA_BROKERS', 'partner certificates, distributed mode on real Kafka', (brokers) => {
  describeWithServer('MONGO_URL', 'and a real MongoDB-wire server', (mongoUrl) => {
    const database = `as2_cert_it_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const account = `acct-${randomUUID().slice(0, 8)}`;
    let app: NestFastifyApplication;
    let dataDir: string;
    const token = (claims: Record<string, unknown>) =>
      signHs256TestToken({ sub: 'it-user', account, exp: Math.floor(Date.now() / 1000) + 600, roles: ['tenant_admin'], ...claims }, SECRET);

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'as2-cert-distributed-'));
      const config = loadPlatformConfig({
        MODE: 'distributed',
        EVENT_STORE: 'sqlite',
        KAFKA_BROKERS: brokers,
        // This suite's own topics: no certificate service of another suite on the broker feeds this registry.
        KAFKA_TOPIC_PREFIX: `it-${database.slice(-12)}`,
        MONGO_URL: withDatabase(mongoUrl, database),
        DATA_DIR: dataDir,
        JWT_SECRET: SECRET,
        PARTNER_SECRETS_KEY: 'ab'.repeat(32),
        LOG_LEVEL: 'warn',
      });
      app = await createTestHttpApp(PartnerRegistryModule, config, { kafkaClientId: `it-${database}`, consumerGroupNamespace: `it-${database}` });
    }, 90_000);

    afterAll(async () => {
      await app?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('shows a certificate the certificate service published on Kafka in the partner details, from the MongoDB read model', async () => {
      const headers = { authorization: `Bearer ${token({ tenant: 't1' })}` };
      const created = await app.inject({
        method: 'POST',
        url: '/v1/partners',
        headers,
        payload: { name: 'Kafka Partner', as2_id: `CERT-${randomUUID().slice(0, 8).toUpperCase()}`, url: 'https://as2.example.com/receive' },
      });
      expect(created.statusCode).toBe(201);
      const partnerId: string = created.json().data.id;
      const feed = new CertificateLifecycleEventFeed(account);
      const certificate = {
        certificateId: `cert_${randomUUID().replace(/-/g, '').slice(0, 12)}`,
        name: 'Kafka Encryption Certificate',
        type: 'partner',
        usage: 'encryption',
        subject: 'CN=Kafka Partner',
        notAfter: '2030-01-01T00:00:00.000Z',
        createdAt: '2026-01-01T10:00:00.000Z',
      };
      const bus = app.get<EventBus>(EVENT_BUS);
      const attach = feed.attached(partnerId, 't1', certificate);
      await bus.publish(CERTIFICATE_LIFECYCLE_TOPIC, [attach, feed.slotAssigned(partnerId, 'encryption', certificate.certificateId), attach]);

      const expected = [
        {
          id: certificate.certificateId,
          name: 'Kafka Encryption Certificate',
          type: 'partner',
          usage: 'encryption',
          subject: 'CN=Kafka Partner',
          active: true,
          expires_at: '2030-01-01T00:00:00.000000Z',
          created_at: '2026-01-01T10:00:00.000000Z',
          slots: ['encryption', 'signature'],
        },
      ];
      // Kafka consumers are eventually consistent: poll the API until all three records are applied, not the first.
      const deadline = Date.now() + 60_000;
      let certificates: unknown[] = [];
      while (Date.now() < deadline) {
        certificates = (await app.inject({ method: 'GET', url: `/v1/partners/${partnerId}`, headers })).json().data.certificates;
        if (isDeepStrictEqual(certificates, expected)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(certificates).toEqual(expected);
    }, 90_000);

    it("lists the partner's scheduled rollover the certificate service published on Kafka in the AS2 id change impact (MongoDB read model), and drops it once activated", async () => {
      const headers = { authorization: `Bearer ${token({ tenant: 't1' })}` };
      const created = await app.inject({
        method: 'POST',
        url: '/v1/partners',
        headers,
        payload: { name: 'Kafka Rollover Partner', as2_id: `ROLL-${randomUUID().slice(0, 8).toUpperCase()}`, url: 'https://as2.example.com/receive' },
      });
      expect(created.statusCode).toBe(201);
      const partnerId: string = created.json().data.id;
      const feed = new CertificateLifecycleEventFeed(account);
      const certificateId = `cert_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const next = { certificateId, name: 'Next', type: 'partner', usage: 'encryption', subject: 'CN=Next', notAfter: '2031-01-01T00:00:00.000Z', createdAt: '2026-01-01T10:00:00.000Z' };
      const attached = feed.attached(partnerId, 't1', next);
      const scheduled = feed.event(
        `partner_certificates-${partnerId}`,
        'trust.rollover_scheduled.v1',
        { partnerId, nextCertificateId: certificateId, currentCertificateIds: {}, slots: ['encryption', 'signature'], activateAt: '2030-01-01T00:00:00.000Z', overlapUntil: '2030-02-01T00:00:00.000Z', replacesNextCertificateId: null, scheduledAt: '2026-06-01T00:00:00.000Z' },
        't1',
      );
      const bus = app.get<EventBus>(EVENT_BUS);
      // Delivered twice, as Kafka may: applied once.
      await bus.publish(CERTIFICATE_LIFECYCLE_TOPIC, [attached, scheduled, scheduled]);

      const impact = async () =>
        (await app.inject({ method: 'GET', url: `/v1/partners/${partnerId}/as2-id-change/impact?new_as2_id=ROLL-NEW`, headers })).json().data.scheduled_activations as unknown[];
      const until = async (done: (items: unknown[]) => boolean) => {
        // Kafka consumers are eventually consistent: poll the API until the consumer caught up.
        const deadline = Date.now() + 60_000;
        let items = await impact();
        while (!done(items) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200));
          items = await impact();
        }
        return items;
      };
      const activation = [
        { kind: 'rollover', slots: ['encryption', 'signature'], certificate_id: certificateId, fingerprint_sha256: 'ab'.repeat(32), activate_at: '2030-01-01T00:00:00.000000Z', overlap_until: '2030-02-01T00:00:00.000000Z' },
      ];
      expect(await until((items) => isDeepStrictEqual(items, activation))).toEqual(activation);
      const other = { authorization: `Bearer ${token({ tenant: 't2' })}` };
      expect((await app.inject({ method: 'GET', url: `/v1/partners/${partnerId}/as2-id-change/impact?new_as2_id=ROLL-NEW`, headers: other })).statusCode).toBe(404);

      await bus.publish(CERTIFICATE_LIFECYCLE_TOPIC, [feed.trustActivated(partnerId, certificateId, ['encryption', 'signature'])]);
      expect(await until((items) => items.length === 0)).toEqual([]);
    }, 150_000);
  });
});
