import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE, READ_MODEL_STORE, type EventStore, type ReadModelStore } from '@as2-partners/kernel';
import { openInfrastructure } from '@as2-partners/composition';
import { loadPlatformConfig, rebuildReadModels } from '@as2-partners/platform';
import { createEmbeddedTestApp, TEST_JWT_SECRET, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from './all-in-one.module';

// Two attempts a millisecond apart: the backoff itself is the kernel's to test.
const FAST_RETRIES = { FOLLOWER_RETRY_ATTEMPTS: '2', FOLLOWER_RETRY_INITIAL_MS: '1', FOLLOWER_RETRY_MAX_MS: '2' };
const ACCOUNT = 'acc-parking';
const TENANT = 'ten-parking';

function partnerInput(as2Id: string) {
  return { name: `Partner ${as2Id}`, as2_id: as2Id, url: `https://${as2Id.toLowerCase()}.example.com/as2` };
}

describe('parked events (embedded, both services)', () => {
  let dataDir: string;
  let t: EmbeddedTestApp;
  const call = async (method: 'GET' | 'POST', url: string, claims: Parameters<EmbeddedTestApp['token']>[0] | null, payload?: object) => {
    const headers = claims === null ? {} : { authorization: `Bearer ${t.token(claims)}` };
    const res = await t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };
  const tenantAdmin = { account: ACCOUNT, tenant: TENANT, roles: ['tenant_admin'] };
  const operator = { account: 'ops', tenant: null, roles: ['operator'] };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'as2-parked-'));
    t = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir, env: FAST_RETRIES });
  });

  afterAll(async () => {
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  let poisonId: string;
  let garbledCreateId: string;

  it('parks a poison event in the partner views, lists it for operators, and applies the events behind it', async () => {
    const first = await call('POST', '/v1/partners', tenantAdmin, partnerInput('PARK-FIRST'));
    expect(first.status).toBe(201);
    const partnerId = first.body.data.id;
    // An update whose changes are not an object: the projection cannot apply it, whatever it retries.
    poisonId = randomUUID();
    await t.app.get<EventStore>(EVENT_STORE).append(
      `partner-poison_${randomUUID()}`,
      [
        {
          id: poisonId,
          type: 'partner.updated.v1',
          schemaVersion: 1,
          data: { partnerId, changes: null, updatedAt: new Date().toISOString() },
          metadata: { account: ACCOUNT, tenant: TENANT, correlationId: randomUUID(), causationId: null, actor: { type: 'system', id: 'test' }, occurredAt: new Date().toISOString() },
        },
      ],
      'no_stream',
    );

    // A create without its settings (a store edited by hand): no view of it, or every list of the tenant would fail.
    garbledCreateId = randomUUID();
    const garbledPartnerId = `ptn_${randomUUID()}`;
    await t.app.get<EventStore>(EVENT_STORE).append(
      `partner-${garbledPartnerId}`,
      [
        {
          id: garbledCreateId,
          type: 'partner.created.v1',
          schemaVersion: 1,
          data: { partnerId: garbledPartnerId, account: ACCOUNT, tenant: TENANT, as2Id: 'PARK-GARBLED', createdAt: new Date().toISOString() },
          metadata: { account: ACCOUNT, tenant: TENANT, correlationId: randomUUID(), causationId: null, actor: { type: 'system', id: 'test' }, occurredAt: new Date().toISOString() },
        },
      ],
      'no_stream',
    );

    // Created behind the poison: its POST waits for the projection to pass it, then reads it back.
    const second = await call('POST', '/v1/partners', tenantAdmin, partnerInput('PARK-SECOND'));
    expect(second.status).toBe(201);
    const listed = await call('GET', '/v1/partners', tenantAdmin);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((p: { as2_id: string }) => p.as2_id).sort()).toEqual(['PARK-FIRST', 'PARK-SECOND']);
    expect((await call('GET', `/v1/partners?search=PARK`, tenantAdmin)).status).toBe(200);
    expect((await call('GET', `/v1/partners/${garbledPartnerId}`, tenantAdmin)).status).toBe(404);

    const parked = await call('GET', '/v1/admin/parked-events?consumer=partner-registry.partner-views', operator);
    expect(parked.status).toBe(200);
    // Neither event could ever be read as its type says: each parked at its first attempt, not after the retries.
    expect(parked.body.data.map((e: { event: { id: string } }) => e.event.id).sort()).toEqual([poisonId, garbledCreateId].sort());
    expect(parked.body.data.find((e: { event: { id: string } }) => e.event.id === poisonId)).toMatchObject({
      id: `partner-registry.partner-views:${poisonId}`,
      consumer: 'partner-registry.partner-views',
      topic: null,
      attempts: 1,
      event: { id: poisonId, type: 'partner.updated.v1' },
      error: expect.stringContaining('its changes are not an object'),
    });
    expect(parked.body.data.find((e: { event: { id: string } }) => e.event.id === garbledCreateId)).toMatchObject({ attempts: 1, error: expect.stringContaining('it has no settings') });
  });

  it('keeps parked events to operators: no token, tenant and account roles are refused; an operator opens no tenant route', async () => {
    for (const url of ['/v1/partners', '/v1/certificates', `/v1/accounts/${ACCOUNT}/tenants`]) {
      expect((await call('GET', url, operator)).status).toBe(403);
      expect((await call('GET', url, { ...operator, account: ACCOUNT, tenant: TENANT })).status).toBe(403);
    }
    expect((await call('GET', '/v1/admin/parked-events', null)).status).toBe(401);
    for (const roles of [['tenant_user'], ['tenant_admin'], ['account_admin']]) {
      expect((await call('GET', '/v1/admin/parked-events', { account: ACCOUNT, tenant: TENANT, roles })).status).toBe(403);
      expect((await call('POST', `/v1/admin/parked-events/partner-registry.partner-views:${poisonId}/replay`, { account: ACCOUNT, tenant: TENANT, roles })).status).toBe(403);
    }
  });

  it('a replay that still fails leaves the event parked; unknown ids and hostile queries get a 4xx', async () => {
    const id = `partner-registry.partner-views:${poisonId}`;
    const replay = await call('POST', `/v1/admin/parked-events/${encodeURIComponent(id)}/replay`, operator);
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('PARKED_EVENT_REPLAY_FAILED');
    const after = await call('GET', '/v1/admin/parked-events', operator);
    expect(after.body.data.find((e: { id: string }) => e.id === id)).toMatchObject({ attempts: 2 });

    const unknown = await call('POST', `/v1/admin/parked-events/${encodeURIComponent("x'; DROP TABLE parked_events; --")}/replay`, operator);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('PARKED_EVENT_NOT_FOUND');
    expect((await call('GET', '/v1/admin/parked-events?limit=100000', operator)).status).toBe(422);
    expect((await call('GET', '/v1/admin/parked-events?limit=abc', operator)).status).toBe(422);
  });

  it('rebuild-read-models rebuilds every read model, the bus-fed ones from their copy of consumed events, and parks the poison again', async () => {
    await t.close();
    const config = loadPlatformConfig({ DATA_DIR: dataDir, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'warn', ...FAST_RETRIES });
    const rebuilt = await rebuildReadModels(AllInOneModule, config, { openInfrastructure });
    expect(rebuilt.map((r) => r.name).sort()).toEqual([
      'certificate-lifecycle.keys',
      'certificate-lifecycle.known-instances',
      'certificate-lifecycle.known-partners',
      'certificate-lifecycle.views',
      'connection-tester.partner-certificates',
      'connection-tester.partners',
      'connection-tester.views',
      'partner-registry.connection-status',
      'partner-registry.exchange-views',
      'partner-registry.our-keys',
      'partner-registry.partner-certificates',
      'partner-registry.partner-traffic',
      'partner-registry.partner-views',
      'partner-registry.scheduled-activations',
      'traffic-control.partner-traffic',
      'traffic-control.registry-facts',
    ]);
    expect(rebuilt.filter((r) => r.skipped)).toEqual([]);

    t = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir, env: FAST_RETRIES });
    const listed = await call('GET', '/v1/partners', tenantAdmin);
    expect(listed.body.data.map((p: { as2_id: string }) => p.as2_id).sort()).toEqual(['PARK-FIRST', 'PARK-SECOND']);
    // The known partners were consumed from the partner-registry's topic; the rebuild replayed them from the copy.
    const known = t.app.get<ReadModelStore>(READ_MODEL_STORE).collection('certificate_lifecycle_known_partners');
    expect(await known.count({ account: ACCOUNT, tenant: TENANT, deleted: false })).toBe(2);
    const parked = await call('GET', '/v1/admin/parked-events?consumer=partner-registry.partner-views', operator);
    expect(parked.body.data.map((e: { event: { id: string } }) => e.event.id).sort()).toEqual([poisonId, garbledCreateId].sort());
  });

  it('parks an event whose data is no object at its first attempt in every consumer, and one whose firewall cannot be presented in the partner views; the partner stays readable', async () => {
    const created = await call('POST', '/v1/partners', tenantAdmin, partnerInput('PARK-NESTED'));
    expect(created.status).toBe(201);
    const partnerId = created.body.data.id;
    const metadata = () => ({ account: ACCOUNT, tenant: TENANT, correlationId: randomUUID(), causationId: null, actor: { type: 'system' as const, id: 'test' }, occurredAt: new Date().toISOString() });
    const [nullData, badFirewall] = [randomUUID(), randomUUID()];
    const store = t.app.get<EventStore>(EVENT_STORE);
    await store.append(`partner-poison_${randomUUID()}`, [{ id: nullData, type: 'partner.updated.v1', schemaVersion: 1, data: null, metadata: metadata() }], 'no_stream');
    await store.append(
      `partner-poison_${randomUUID()}`,
      [{ id: badFirewall, type: 'partner.updated.v1', schemaVersion: 1, data: { partnerId, changes: { firewall: { enabled: true, allowedIps: 7 } }, updatedAt: new Date().toISOString() }, metadata: metadata() }],
      'no_stream',
    );
    // Behind both: answered once every consumer passed them (parked, not retried with a backoff).
    expect((await call('POST', '/v1/partners', tenantAdmin, partnerInput('PARK-BEHIND'))).status).toBe(201);
    expect((await call('GET', `/v1/partners/${partnerId}`, tenantAdmin)).status).toBe(200);
    expect((await call('GET', '/v1/partners?search=PARK-NESTED', tenantAdmin)).status).toBe(200);

    const parked = (await call('GET', '/v1/admin/parked-events?limit=100', operator)).body.data as { consumer: string; attempts: number; event: { id: string }; error: string }[];
    const ofNull = parked.filter((e) => e.event.id === nullData);
    expect(ofNull.map((e) => e.consumer)).toEqual(expect.arrayContaining(['partner-registry.partner-views', 'certificate-lifecycle.known-partners', 'traffic-control.registry-facts']));
    expect(ofNull.map((e) => [e.consumer, e.attempts])).toEqual(ofNull.map((e) => [e.consumer, 1]));
    expect(parked.find((e) => e.event.id === badFirewall && e.consumer === 'partner-registry.partner-views')).toMatchObject({ attempts: 1, error: expect.stringContaining('settings.firewall.allowedIps') });
  });
});
