import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedTestApp, removeDataFile, storedEventCount, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { apiAs } from './partner-api.spec-support';

const ACCOUNT = 'removed-store-account';
const record = (messageId: string) => ({ message_id: messageId, tenant: 'removed-store-tenant', direction: 'outbound', as2_from: 'US', as2_to: 'ACME', status: 'delivered', occurred_at: '2026-11-30T10:00:00.000Z' });

describe("the gateway's message records when the read-model file is removed while the server runs (embedded mode)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'as2-removed-read-models-'));
  let t: EmbeddedTestApp;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 STORE_UNAVAILABLE, not 200 for records written into a file nobody finds again, and is not ready', async () => {
    const gateway = apiAs(t, { account: ACCOUNT, tenant: null, roles: ['gateway'] });
    const stored = await gateway.post('/v1/gateway/message-events', { events: [record('<before@x>')] });
    expect([stored.status, stored.body.data]).toEqual([200, { received: 1, applied: 1, ignored: 0 }]);

    // Only the read-model file: the records are in it alone, and the event store (which notices its own removal) is kept.
    removeDataFile(dataDir, 'read-models.sqlite');
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/gateway/message-events',
      headers: { authorization: `Bearer ${t.token({ account: ACCOUNT, tenant: null, roles: ['gateway'] })}` },
      payload: { events: [record('<after@x>')] },
    });
    expect([refused.statusCode, refused.json().error?.code, refused.headers['retry-after']]).toEqual([503, 'STORE_UNAVAILABLE', '5']);
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect([ready.statusCode, ready.json().error.details.readModelStore.status]).toEqual([503, 'down']);
  });
});

describe('writes when the read-model file is removed while the server runs (embedded mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'as2-removed-read-models-writes-'));
  let t: EmbeddedTestApp;
  const storedEvents = (): number => storedEventCount(dataDir);

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses them 503 STORE_UNAVAILABLE before storing them: not stored and answered 404 or with the old view', async () => {
    const api = apiAs(t, { account: ACCOUNT, tenant: 'removed-store-writer', roles: ['tenant_admin'] });
    const partner = await api.post('/v1/partners', { name: 'Before', as2_id: 'BEFORE-REMOVAL', url: 'https://before.example.com/as2' });
    expect(partner.status).toBe(201);
    const before = storedEvents();

    removeDataFile(dataDir, 'read-models.sqlite');
    const station = await api.post('/v1/stations', { name: 'After', notification_email: 'ops@us.example.com' });
    const renamed = await api.patch(`/v1/partners/${partner.body.data.id}`, { name: 'Renamed' });
    expect([station.status, station.body.error?.code, renamed.status, renamed.body.error?.code]).toEqual([503, 'STORE_UNAVAILABLE', 503, 'STORE_UNAVAILABLE']);
    expect(storedEvents()).toBe(before);
    // No commit failed (nothing was written): liveness says a restart is needed all the same.
    const live = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect([live.statusCode, live.json().error?.details?.readModelStore?.status]).toEqual([503, 'down']);
  });
});
