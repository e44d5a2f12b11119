import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';
import { createConnection, type Connection } from 'mongoose';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { prefixedTopic } from '@as2-partners/kernel';
import { describeWithServer, eventually, opensslVerifiesEvidence } from '@as2-partners/kernel-testing';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { loadPlatformConfig } from '@as2-partners/platform';
import { signHs256TestToken, createTestHttpApp } from '@as2-partners/platform-testing';

const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, { timeoutMs: 30_000, intervalMs: 200 });

const SECRET = 'certificate-rollover-distributed-secret-0123';
const HOUR = 3_600_000;

// The certificate service's clock: real time plus the jumps the test makes to reach a scheduled instant. Activations
// are scheduled an hour ahead, so however slow Kafka or the machine, nothing fires before the test looked.
let clockOffsetMs = 0;
const clockNow = () => new Date(Date.now() + clockOffsetMs);
const jumpPast = (instant: Date) => {
  clockOffsetMs += Math.max(0, instant.getTime() - clockNow().getTime());
};
const TOPIC = 'as2.certificate-lifecycle.events';
// Each service reads its own settings from the environment its platform config was loaded from.
const SERVICE_ENV = {
  PARTNER_SECRETS_KEY: 'ab'.repeat(32),
  KEYSTORE_MASTER_KEY: 'cd'.repeat(32),
  CERT_SCHEDULER_INTERVAL_MS: '200',
  // A fresh broker's first consumer-group join takes seconds, so the partner may reach the certificate service late.
  UNKNOWN_PARTNER_WAIT_MS: '30000',
};

/** The same server, another database: every run starts from an empty read model. */
function withDatabase(url: string, db: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${db}`;
  return parsed.toString();
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return value === undefined ? undefined : String(value);
}

interface ApiResponse {
  readonly status: number;
  readonly body: any;
}

/** One certificate file as multipart/form-data, as curl -F sends it. */
function certificateForm(fields: Record<string, string>, filename: string, content: string): { payload: Buffer; contentType: string } {
  const boundary = `----as2it${randomUUID().replace(/-/g, '')}`;
  const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="certificate"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n${content}\r\n`);
  parts.push(`--${boundary}--\r\n`);
  return { payload: Buffer.from(parts.join('')), contentType: `multipart/form-data; boundary=${boundary}` };
}

interface CarriedEvent {
  readonly type: string;
  readonly id: string;
  readonly key: string;
  readonly headers: IHeaders;
}

/** Runs `wait`; when it fails, the error carries what `explain` finds (a flaky hop is then named in the CI log). */
async function explainedOnTimeout<T>(wait: () => Promise<T>, explain: () => Promise<Record<string, unknown>>): Promise<T> {
  try {
    return await wait();
  } catch (error) {
    const found = await explain().catch((failure: unknown) => ({ explainFailed: String(failure) }));
    throw new Error(`${error instanceof Error ? error.message : String(error)}; found: ${JSON.stringify(found)}`);
  }
}

/** The relay creates the topic with its first publish, which may still be under way. */
async function subscribeOnceTheTopicExists(consumer: Consumer, topic: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

/** Reads the topic from the beginning until every wanted type was seen for the partner, then a little longer for duplicates. */
async function carriedOnKafka(brokers: string, topic: string, groupId: string, partnerId: string, wanted: readonly string[]): Promise<CarriedEvent[]> {
  const kafka = new Kafka({ clientId: groupId, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    await subscribeOnceTheTopicExists(consumer, topic);
    const carried: CarriedEvent[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (header(message.headers, 'ce_subject') !== partnerId) return;
        carried.push({ type: header(message.headers, 'ce_type') ?? '', id: header(message.headers, 'ce_id') ?? '', key: message.key?.toString() ?? '', headers: message.headers ?? {} });
      },
    });
    await until(`${wanted.join(', ')} for ${partnerId} on ${topic}`, async () => (wanted.every((type) => carried.some((e) => e.type === type)) ? true : undefined));
    await sleep(1000);
    return carried;
  } finally {
    await consumer.disconnect();
  }
}

describeWithServer('KAFKA_BROKERS', 'certificate rollover across two services, distributed mode on real Kafka', (brokers) => {
  describeWithServer('MONGO_URL', 'and a real MongoDB-wire server', (mongoUrl) => {
    const run = randomUUID().replace(/-/g, '').slice(0, 12);
    const account = `acct-${randomUUID().slice(0, 8)}`;
    const tenant = 't1';
    // Two deployables as in production: each its own event store and database; only Kafka connects them.
    const registryDatabase = `as2_rollover_pr_${run}`;
    const certificatesDatabase = `as2_rollover_cl_${run}`;
    // Both services on this suite's own topics: a certificate service of another suite on the broker would otherwise
    // also take this registry's partner creations (refusing their certificate_id, which it does not hold) and feed it back.
    const topicPrefix = `it-${run}`;
    let registry: NestFastifyApplication;
    let certificates: NestFastifyApplication;
    const dataDirs: string[] = [];
    let registryMongo: Connection;
    let certificatesMongo: Connection;
    const authorization = () =>
      `Bearer ${signHs256TestToken({ sub: 'it-user', account, tenant, roles: ['tenant_admin'], exp: Math.floor(Date.now() / 1000) + 600 }, SECRET)}`;

    const call = async (app: NestFastifyApplication, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object): Promise<ApiResponse> => {
      const res = await app.inject({ method, url, headers: { authorization: authorization() }, ...(payload === undefined ? {} : { payload }) });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    };
    const upload = async (partnerId: string, name: string, pem: string): Promise<string> => {
      const form = certificateForm({ name, usage: 'encryption' }, `${name}.pem`, pem);
      const res = await certificates.inject({
        method: 'POST',
        url: `/v1/partners/${partnerId}/certificates`,
        headers: { authorization: authorization(), 'content-type': form.contentType },
        payload: form.payload,
      });
      if (res.statusCode !== 201) throw new Error(`upload ${name} answered ${res.statusCode}: ${res.body}`);
      return res.json().data.id as string;
    };
    /** The partner details, served by the partner-registry from its MongoDB read model fed over Kafka. */
    const slotsInPartnerDetails = async (partnerId: string, certificateId: string): Promise<string[] | undefined> => {
      const details = await call(registry, 'GET', `/v1/partners/${partnerId}`);
      return (details.body.data.certificates as { id: string; slots: string[] }[]).find((c) => c.id === certificateId)?.slots;
    };
    /** Each hop of a partner's link, for a failure's message: the registry's details, the certificate service's slots, both services' followers. */
    const whereTheLinkIs = async (partnerId: string): Promise<Record<string, unknown>> => {
      const operator = `Bearer ${signHs256TestToken({ sub: 'it-operator', account, roles: ['operator'], exp: Math.floor(Date.now() / 1000) + 600 }, SECRET)}`;
      const followers = async (app: NestFastifyApplication) =>
        (await app.inject({ method: 'GET', url: '/v1/admin/followers', headers: { authorization: operator } })).json();
      return {
        registryDetails: (await call(registry, 'GET', `/v1/partners/${partnerId}`)).body,
        certificateServiceSlots: (await call(certificates, 'GET', `/v1/partners/${partnerId}/certificate-slots`)).body,
        registryFollowers: await followers(registry),
        certificateServiceFollowers: await followers(certificates),
      };
    };
    const timeline = async (partnerId: string) =>
      (await call(certificates, 'GET', `/v1/partners/${partnerId}/trust/events?per_page=100`)).body.data as { type: string; id: string; data: Record<string, any>; evidence: any }[];

    async function startService(module: Parameters<typeof createTestHttpApp>[0], database: string, now?: () => Date): Promise<NestFastifyApplication> {
      const dataDir = await mkdtemp(join(tmpdir(), 'as2-rollover-distributed-'));
      dataDirs.push(dataDir);
      const config = loadPlatformConfig({
        MODE: 'distributed',
        // EventStoreDB where one is reachable; otherwise the SQLite adapter, which passes the same event-store contract.
        ...(process.env['ESDB_URL'] ? { ESDB_URL: process.env['ESDB_URL'] } : { EVENT_STORE: 'sqlite' }),
        KAFKA_BROKERS: brokers,
        KAFKA_TOPIC_PREFIX: topicPrefix,
        MONGO_URL: withDatabase(mongoUrl, database),
        DATA_DIR: dataDir,
        // The bundled TSA, its identity kept in this run's data directory.
        TSA_DIR: join(dataDir, 'tsa'),
        JWT_SECRET: SECRET,
        LOG_LEVEL: 'warn',
        ...SERVICE_ENV,
      });
      return createTestHttpApp(module, config, { kafkaClientId: `it-${database}`, consumerGroupNamespace: `it-${database}`, clock: now ? { now } : undefined });
    }

    beforeAll(async () => {
      [registry, certificates] = await Promise.all([startService(PartnerRegistryModule, registryDatabase), startService(CertificateLifecycleModule, certificatesDatabase, clockNow)]);
      [registryMongo, certificatesMongo] = await Promise.all([
        createConnection(withDatabase(mongoUrl, registryDatabase)).asPromise(),
        createConnection(withDatabase(mongoUrl, certificatesDatabase)).asPromise(),
      ]);
    }, 90_000);

    afterAll(async () => {
      await Promise.allSettled([registry?.close(), certificates?.close()]);
      for (const mongo of [registryMongo, certificatesMongo]) {
        await mongo?.db?.dropDatabase().catch(() => undefined);
        await mongo?.close();
      }
      await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    });

    it('a scheduled backup and a trust rollover activate on their own; the partner-registry shows them through Kafka and MongoDB', async () => {
      const created = await call(registry, 'POST', '/v1/partners', { name: 'Rollover Partner', as2_id: `ROLL-${randomUUID().slice(0, 8).toUpperCase()}`, url: 'https://as2.example.com/receive' });
      expect(created.status).toBe(201);
      const partnerId: string = created.body.data.id;

      // The certificate service learns the partner from the registry's topic before it accepts an upload for it.
      const certA = await upload(partnerId, 'cert-a', issueTestCertificate({ commonName: 'Rollover A' }).pem);
      const certB = await upload(partnerId, 'cert-b', issueTestCertificate({ commonName: 'Rollover B' }).pem);
      const slots = await call(certificates, 'GET', `/v1/partners/${partnerId}/certificate-slots`);
      expect(slots.body.data.encryption.current.id).toBe(certA);
      expect(await until('cert A in the partner details', async () => ((await slotsInPartnerDetails(partnerId, certA))?.includes('encryption') ? true : undefined))).toBe(true);

      // Scheduled backup: B becomes the encryption certificate at activate_on with nobody calling the API.
      const activateOn = new Date(clockNow().getTime() + HOUR);
      const scheduled = await call(certificates, 'PUT', `/v1/partners/${partnerId}/certificate-slots/encryption/backup`, { certificate_id: certB, activate_on: activateOn.toISOString() });
      expect(scheduled.status).toBe(200);
      expect(scheduled.body.data.encryption.backup.certificate.id).toBe(certB);
      expect(await until('cert B in the partner details', () => slotsInPartnerDetails(partnerId, certB))).toEqual([]);
      jumpPast(activateOn);
      // Until B holds both slots and A none (the whole activation applied, not its first record).
      const slotsOfB = await until('the backup activation in the partner details', async () => {
        const [slotsNow, slotsOfA] = [await slotsInPartnerDetails(partnerId, certB), await slotsInPartnerDetails(partnerId, certA)];
        return slotsNow?.length === 2 && slotsOfA?.length === 0 ? slotsNow : undefined;
      });
      expect(clockNow().getTime()).toBeGreaterThanOrEqual(activateOn.getTime());
      expect(slotsOfB).toEqual(['encryption', 'signature']);
      expect(await slotsInPartnerDetails(partnerId, certA)).toEqual([]);

      const backupActivations = (await timeline(partnerId)).filter((e) => e.type === 'partner_certificates.backup_activated.v1');
      expect(backupActivations).toHaveLength(1);
      expect(backupActivations[0].data).toMatchObject({ certificate_id: certB, previous_certificate_id: certA, trigger: { type: 'scheduler' } });

      const certificateDoc = await registryMongo.db!.collection('partner_registry_partner_certificates').findOne({ partnerId, certificateId: certB });
      expect(certificateDoc).toMatchObject({ _id: `${partnerId}|${certB}`, account, tenant, name: 'cert-b', usage: 'encryption', retired: false });
      const slotsDoc = await registryMongo.db!.collection('partner_registry_partner_certificate_slots').findOne({ partnerId });
      expect(slotsDoc).toMatchObject({ encryption: certB, signatureSetApart: false });
      // Nothing of the registry's read model lives in the certificate service's database, and the other way round.
      expect(await certificatesMongo.db!.collection('partner_registry_partner_certificates').countDocuments()).toBe(0);

      // Trust rollover: C is approved to take over at activate_at; the scheduler activates it with stamped evidence.
      const certC = await upload(partnerId, 'cert-c', issueTestCertificate({ commonName: 'Rollover C' }).pem);
      const activateAt = new Date(clockNow().getTime() + HOUR);
      const rollover = await call(certificates, 'POST', `/v1/partners/${partnerId}/trust/rollover`, {
        next_certificate_id: certC,
        activate_at: activateAt.toISOString(),
        overlap_until: new Date(clockNow().getTime() + 24 * HOUR).toISOString(),
      });
      expect(rollover.status).toBe(201);
      expect(rollover.body.data.next_step).toMatchObject({ action: 'activate', certificate_id: certC });
      jumpPast(activateAt);
      const slotsOfC = await until('the rollover activation in the partner details', async () => {
        const slotsNow = await slotsInPartnerDetails(partnerId, certC);
        return slotsNow?.length === 2 ? slotsNow : undefined;
      });
      expect(slotsOfC).toEqual(['encryption', 'signature']);
      const trust = await call(certificates, 'GET', `/v1/partners/${partnerId}/trust`);
      expect(trust.body.data.current.encryption.id).toBe(certC);
      expect(trust.body.data.next_step).toMatchObject({ action: 'retire', certificate_ids: [certB] });

      const trustActivations = (await timeline(partnerId)).filter((e) => e.type === 'trust.activated.v1');
      expect(trustActivations).toHaveLength(1);
      const [activation] = trustActivations;
      expect(activation.data).toMatchObject({ certificate_id: certC, trigger: { type: 'scheduler' } });
      expect(new Date(activation.data['activated_at']).getTime()).toBeGreaterThanOrEqual(activateAt.getTime());
      const evidence = activation.evidence;
      expect(createHash('sha256').update(evidence.document, 'utf8').digest('hex')).toBe(evidence.sha256);
      expect(JSON.parse(evidence.document)).toMatchObject({ partner_id: partnerId, certificate: { id: certC }, trigger: { type: 'scheduler' } });
      const verified = opensslVerifiesEvidence(evidence);
      expect(verified).toMatchObject({ ok: true });
      expect(verified.output).toContain('Verification: OK');
      expect(opensslVerifiesEvidence({ ...evidence, sha256: createHash('sha256').update('another document').digest('hex') }).ok).toBe(false);

      // Both activations crossed Kafka as CloudEvents keyed by the partner; redelivery may repeat a record, never a second event.
      const carried = await carriedOnKafka(brokers, prefixedTopic(topicPrefix, TOPIC), `it-reader-${run}`, partnerId, ['partner_certificates.backup_activated.v1', 'trust.activated.v1']);
      for (const [type, timelineEvent] of [
        ['partner_certificates.backup_activated.v1', backupActivations[0]],
        ['trust.activated.v1', activation],
      ] as const) {
        const records = carried.filter((e) => e.type === type);
        expect(new Set(records.map((e) => e.id))).toEqual(new Set([timelineEvent.id]));
        expect(records[0]).toMatchObject({ key: partnerId });
        expect(header(records[0].headers, 'ce_source')).toBe('/as2-partners/certificate-lifecycle');
        expect(header(records[0].headers, 'ce_actor')).toMatch(/^system:/);
        expect(header(records[0].headers, 'ce_account')).toBe(account);
        expect(header(records[0].headers, 'ce_tenant')).toBe(tenant);
      }
    }, 120_000);

    it("links the certificate_id a partner is created with across Kafka: the registry records it, the certificate service fills the slots, the details show it", async () => {
      const form = certificateForm({ name: 'stored', usage: 'both' }, 'stored.pem', issueTestCertificate({ commonName: 'Stored For Link' }).pem);
      const stored = await certificates.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: authorization(), 'content-type': form.contentType }, payload: form.payload });
      expect(stored.statusCode).toBe(201);
      const certificateId = stored.json().data.id as string;
      const created = await call(registry, 'POST', '/v1/partners', {
        name: 'Linked Partner',
        as2_id: `LINK-${randomUUID().slice(0, 8).toUpperCase()}`,
        url: 'https://as2.example.com/receive',
        certificate_id: certificateId,
      });
      expect(created.status).toBe(201);
      const partnerId = created.body.data.id as string;
      // The certificate can show before its slots are filled (two records): wait for both slots.
      const linkedSlots = await explainedOnTimeout(
        () =>
          until('the linked certificate in the partner details', async () => {
            const slotsNow = await slotsInPartnerDetails(partnerId, certificateId);
            return slotsNow?.length === 2 ? slotsNow : undefined;
          }),
        () => whereTheLinkIs(partnerId),
      );
      expect(linkedSlots).toEqual(['encryption', 'signature']);
      expect((await call(registry, 'GET', `/v1/partners/${partnerId}`)).body.data.certificate_link).toEqual({ certificate_id: certificateId, status: 'linked', error: null });
      // A well-formed id of no certificate: the refusal crosses back the same way.
      const refused = await call(registry, 'POST', '/v1/partners', {
        name: 'Unlinked Partner',
        as2_id: `LINK-${randomUUID().slice(0, 8).toUpperCase()}`,
        url: 'https://as2.example.com/receive',
        certificate_id: 'cert_01JD0000000000000000000000',
      });
      const link = await until('the refusal in the partner details', async () => {
        const details = await call(registry, 'GET', `/v1/partners/${refused.body.data.id}`);
        return details.body.data.certificate_link.status === 'refused' ? details.body.data.certificate_link : undefined;
      });
      expect(link.error.code).toBe('CERTIFICATE_NOT_FOUND');
    }, 120_000);
  });
});
