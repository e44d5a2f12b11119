import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestIdentity, startTestPartnerProcess, type TestIdentity, type TestPartnerProcess } from '@as2-partners/as2-testing';
import { CertificateLifecycleModule, OurKeyOperations } from '@as2-partners/certificate-lifecycle-service';
import { OUR_AS2_SIGNER, RemoteKeystoreSigner } from '@as2-partners/connection-tester-service';
import { describeWithServer, eventually } from '@as2-partners/kernel-testing';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { DistributedTestServices, signHs256TestToken } from '@as2-partners/platform-testing';
import { ConnectionTesterAppModule } from './connection-tester-app.module';

// A fresh broker's first consumer-group joins take many seconds on a loaded machine.
jest.setTimeout(300_000);
const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, { timeoutMs: 120_000, intervalMs: 250 });
const SECRET = 'connection-tester-distributed-secret-0123';
const TESTER_TOPIC = 'as2.connection-tester.events';

interface ApiResponse {
  readonly status: number;
  readonly body: any;
}

/**
 * Three services, each on its own infrastructure, in distributed mode on real Kafka and a real MongoDB-wire server:
 * the registry's partner, instance and partnership reach the tester over Kafka, the certificate service's partner
 * certificates too, and the tester's `full` test signs through the keystore's internal HTTP route (the key stays in the
 * certificate-lifecycle service) against the project's test AS2 partner, which verifies the signature and returns our MIC.
 */
describeWithServer('KAFKA_BROKERS', 'connection tester, distributed mode on real Kafka', (brokers) => {
  describeWithServer('MONGO_URL', 'and a real MongoDB-wire server', (mongoUrl) => {
    const run = randomUUID().replace(/-/g, '').slice(0, 10);
    const databases = { registry: `as2_it_ctreg_${run}`, keys: `as2_it_ctkeys_${run}`, tester: `as2_it_ct_${run}` };
    const account = `acct-${run}`;
    const tenant = 'plant-1';
    const ourAs2Id = `US-${run}`.toUpperCase();
    const theirAs2Id = `THEM-${run}`.toUpperCase();
    let registry: NestFastifyApplication;
    let keys: NestFastifyApplication;
    let tester: NestFastifyApplication;
    let partner: TestPartnerProcess;
    let ours: TestIdentity;
    let theirs: TestIdentity;
    let tls: TestIdentity;
    let identityDir: string;
    const services = new DistributedTestServices({ brokers, mongoUrl, jwtSecret: SECRET });
    const kafka = new Kafka({ clientId: `it-ct-${run}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    let consumer: Consumer;
    const testedEvents: { type: string; data: Record<string, unknown> }[] = [];
    const token = (claims: Record<string, unknown>) => signHs256TestToken({ sub: 'it-admin', account, exp: Math.floor(Date.now() / 1000) + 1800, ...claims }, SECRET);
    const admin = token({ tenant, roles: ['tenant_admin'] });

    const call = async (app: NestFastifyApplication, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, bearer = admin): Promise<ApiResponse> => {
      const res = await app.inject({ method, url, headers: { authorization: `Bearer ${bearer}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    };
    const upload = async (partnerId: string, usage: string, pem: string): Promise<ApiResponse> => {
      const boundary = `----ct${run}${usage}`;
      const body = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n${usage}\r\n--${boundary}\r\nContent-Disposition: form-data; name="usage"\r\n\r\n${usage}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="certificate"; filename="c.pem"\r\nContent-Type: application/octet-stream\r\n\r\n${pem}\r\n--${boundary}--\r\n`,
      );
      const res = await keys.inject({ method: 'POST', url: `/v1/partners/${partnerId}/certificates`, headers: { authorization: `Bearer ${admin}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    };

    /**
     * Runs a test until `done` holds: the tester learns partners, pairs and certificates over Kafka, so early runs may
     * miss one (the tenant's plan is enterprise, so the repeats count against nothing). Fails naming the last answer.
     */
    async function testUntil(partnerId: string, payload: Record<string, unknown>, done: (r: ApiResponse) => boolean, what: string): Promise<ApiResponse> {
      const deadline = Date.now() + 150_000;
      let last: ApiResponse | undefined;
      while (Date.now() < deadline) {
        last = await call(tester, 'POST', `/v1/partners/${partnerId}/test`, payload);
        if (done(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      throw new Error(`${what}: not reached in 150 s; last answer ${last?.status} ${JSON.stringify(last?.body)}`);
    }

    beforeAll(async () => {
      identityDir = await mkdtemp(join(tmpdir(), 'as2-ct-identities-'));
      [ours, theirs, tls] = await Promise.all([createTestIdentity(identityDir, ourAs2Id), createTestIdentity(identityDir, theirAs2Id), createTestIdentity(identityDir, 'tls', { subjectAltName: 'IP:127.0.0.1' })]);
      partner = await startTestPartnerProcess([
        '--as2-id', theirAs2Id, '--key', theirs.keyFile, '--cert', theirs.certFile, '--partner-as2-id', ourAs2Id, '--partner-cert', ours.certFile, '--tls-key', tls.keyFile, '--tls-cert', tls.certFile,
      ]);
      const admin = kafka.admin();
      await admin.connect();
      await admin
        .createTopics({ topics: [TESTER_TOPIC, 'as2.partner-registry.events', 'as2.certificate-lifecycle.events'].map((topic) => ({ topic: services.topic(topic) })) })
        .catch(() => undefined);
      await admin.disconnect();
      [registry, keys] = await Promise.all([
        services.start(PartnerRegistryModule, databases.registry, { env: { PARTNER_SECRETS_KEY: 'cd'.repeat(32), PRIVATE_ENDPOINTS_ALLOW: '127.0.0.0/8' } }),
        services.start(CertificateLifecycleModule, databases.keys, { env: { KEYSTORE_MASTER_KEY: Buffer.alloc(32, 0x3c).toString('base64'), TSA_DIR: join(tmpdir(), `as2-ct-tsa-${run}`) } }),
      ]);
      // The keystore is reached over a real socket, as from another pod: only the tester's HTTP client talks to it.
      await keys.listen(0, '127.0.0.1');
      const keystoreUrl = `http://127.0.0.1:${(keys.getHttpServer().address() as AddressInfo).port}`;
      tester = await services.start(ConnectionTesterAppModule, databases.tester, {
        env: {
          PRIVATE_ENDPOINTS_ALLOW: '127.0.0.0/8',
          UNKNOWN_PARTNER_WAIT_MS: '30000',
          // No KEYSTORE_TOKEN: the services share JWT_SECRET, so the tester mints its own short-lived gateway token (as in compose and k8s).
          KEYSTORE_URL: keystoreUrl,
        },
      });
      const accountAdmin = token({ tenant: null, roles: ['account_admin'] });
      const plan = await call(registry, 'POST', `/v1/accounts/${account}/tenants`, { id: tenant, name: 'Plant 1', plan: 'enterprise' }, accountAdmin);
      expect(plan.status).toBe(201);
      consumer = kafka.consumer({ groupId: `it-ct-reader-${run}` });
      await consumer.connect();
      await consumer.subscribe({ topic: services.topic(TESTER_TOPIC), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const event = JSON.parse(message.value?.toString() ?? '{}') as { type: string; data: Record<string, unknown> };
          if (event.data?.['account'] === account) testedEvents.push(event);
        },
      });
    }, 300_000);

    afterAll(async () => {
      await consumer?.disconnect().catch(() => undefined);
      await Promise.allSettled([services.close(), partner?.stop()]);
      await Promise.all([identityDir, join(tmpdir(), `as2-ct-tsa-${run}`)].filter(Boolean).map((dir) => rm(dir, { recursive: true, force: true })));
    });

    /** A partner created in the registry, its certificates uploaded to the certificate service, both learnt by the tester. */
    async function registeredPartner(name: string, as2Id: string, settings: Record<string, unknown>): Promise<string> {
      const created = await call(registry, 'POST', '/v1/partners', { name, as2_id: as2Id, url: partner.url, mdn_mode: 'sync', ...settings });
      expect([created.status, created.status === 201 ? null : created.body]).toEqual([201, null]);
      const partnerId = created.body.data.id as string;
      for (const [usage, pem] of [['both', theirs.certPem], ['tls', tls.certPem]] as const) {
        // The certificate service learns the partner over Kafka first.
        await until(`${usage} certificate of ${name} accepted`, async () => ((await upload(partnerId, usage, pem)).status === 201 ? true : undefined));
      }
      return partnerId;
    }

    it('ping: a partner created in the registry reaches the tester over Kafka and answers from the local test server; connection.tested.v1 on its topic', async () => {
      const partnerId = await registeredPartner('ping', `${theirAs2Id}-PING`, {});
      const res = await testUntil(partnerId, { test_type: 'ping' }, (r) => r.status === 200 && r.body.success === true, 'a successful ping (partner and pinned TLS certificate known)');
      expect(res.body).toMatchObject({ success: true, data: { test_type: 'ping', results: { connectivity: 'success', ssl_validation: 'success' } } });
      const steps = (res.body.data.timeline as { step: string; status: string }[]).map((s) => `${s.step}:${s.status}`);
      expect(steps).toEqual(expect.arrayContaining(['TCP connection:success', 'Certificate validation:success', 'HTTP response:success']));
      // testUntil's earlier tries (before the tester knew the partner) put their failures on the topic first: the successful run's event is awaited.
      const event = await until('connection.tested.v1 of the successful ping on Kafka', async () =>
        testedEvents.find((e) => e.type === 'connection.tested.v1' && e.data['partnerId'] === partnerId && e.data['testType'] === 'ping' && e.data['outcome'] === 'success'),
      );
      expect(event.data).toMatchObject({ account, tenant, partnerId, testType: 'ping', outcome: 'success' });
      expect(JSON.stringify(event)).not.toMatch(/PRIVATE KEY|BEGIN/);
    });

    it('full: signed by the key that lives only in the certificate-lifecycle process (over its internal route), encrypted, the partner verifies it and its MDN carries our MIC', async () => {
      const partnerId = await registeredPartner('full', theirAs2Id, { sign: true, encrypt: true, sign_algorithm: 'SHA256withRSA', encrypt_algorithm: 'AES256_CBC', mdn: { signed: true } });
      // Our identity: the key imported into the keystore (never given to the tester), the instance and the pair in the registry.
      const key = await call(keys, 'POST', '/v1/keys', { alias: 'us-signing', private_key: ours.keyPem, certificate: ours.certPem });
      expect([key.status, key.status === 201 ? null : key.body]).toEqual([201, null]);
      const instance = await call(registry, 'POST', '/v1/as2-instances', { my_as2_id: ourAs2Id, my_name: 'Us', my_as2_alias: 'us-signing', my_email: 'as2@us.example.com' });
      expect(instance.status).toBe(201);
      const pair = await call(registry, 'POST', '/v1/partnerships', { as2_instance_id: instance.body.data.id, partner_id: partnerId });
      expect(pair.status).toBe(201);

      const res = await testUntil(partnerId, { test_type: 'full', acknowledge_payload_delivery: true }, (r) => r.status === 200 && r.body.success === true, 'a successful full test (instance, pair and certificates known)');
      expect(res.body).toMatchObject({ success: true, data: { test_type: 'full', results: { as2_protocol: 'success', mic_match: true, mdn_disposition: 'processed' } } });
      const steps = res.body.data.timeline as { step: string; status: string; details: string }[];
      expect(steps.find((s) => s.step === 'AS2 message sent')?.details).toMatch(/signed SHA256, encrypted AES-256-CBC/);
      const event = await until('connection.tested.v1 of the successful full test on Kafka', async () =>
        testedEvents.find((e) => e.type === 'connection.tested.v1' && e.data['partnerId'] === partnerId && e.data['testType'] === 'full' && e.data['outcome'] === 'success'),
      );
      expect(event.data).toMatchObject({ account, tenant, outcome: 'success', testType: 'full' });
      expect(JSON.stringify(event)).not.toContain(ours.keyPem.split('\n')[5]);
      // The tester signed through the keystore's route: it holds no keystore of its own, and no byte of the key.
      expect(tester.get(OUR_AS2_SIGNER)).toBeInstanceOf(RemoteKeystoreSigner);
      expect(() => tester.get(OurKeyOperations, { strict: false })).toThrow();
      const testerDb = (await services.mongo(databases.tester)).db!;
      const testerDocuments = await Promise.all((await testerDb.listCollections().toArray()).map(async (c) => JSON.stringify(await testerDb.collection(c.name).find({}).toArray())));
      expect(testerDocuments.join('\n')).not.toContain(ours.keyPem.split('\n')[5]);
      // Learned over Kafka by the consumer all-in-one runs too: the instance's my_email, its test messages' Disposition-Notification-To and From.
      expect(await testerDb.collection('connection_tester_instances').findOne({ _id: instance.body.data.id as never })).toMatchObject({ as2Id: ourAs2Id, email: 'as2@us.example.com' });
    });

    it('full with an alias that has no key in the keystore: 422 SIGNING_KEY_UNAVAILABLE, asked of the keystore before the test counts', async () => {
      const partnerId = await registeredPartner('keyless', `${theirAs2Id}-NOKEY`, { sign: true, encrypt: false, sign_algorithm: 'SHA256withRSA' });
      const instance = await call(registry, 'POST', '/v1/as2-instances', { my_as2_id: `${ourAs2Id}-NK`, my_name: 'Keyless', my_as2_alias: 'no-such-key', my_email: 'as2@us.example.com' });
      expect(instance.status).toBe(201);
      expect((await call(registry, 'POST', '/v1/partnerships', { as2_instance_id: instance.body.data.id, partner_id: partnerId })).status).toBe(201);
      const res = await testUntil(partnerId, { test_type: 'full', acknowledge_payload_delivery: true }, (r) => r.body?.error?.code === 'SIGNING_KEY_UNAVAILABLE', 'SIGNING_KEY_UNAVAILABLE (the keyless pair known)');
      expect(res.status).toBe(422);
      expect(res.body.message).toContain('no-such-key');
      expect((await call(tester, 'GET', `/v1/partners/${partnerId}/tests`)).body.data).toEqual([]);
    });
  });
});
