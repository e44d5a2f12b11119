import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, removeDataFile, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { OutboundBlockRecorder, TrafficControlModule } from '@as2-partners/traffic-control-service';
import { createInstance, fresh, gatewayAs, partnerInput, trafficApiAs } from './traffic-api.spec-support';

const ACCOUNT = 'acct-read-store-removed';

describe('traffic decisions when the read-model file is removed while the server runs (embedded mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'as2-traffic-removed-read-models-'));
  let t: EmbeddedTestApp;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule], dataDir });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('still records the messages it tells the gateway to block (their notice is how anyone learns to resend them), while changes are refused 503', async () => {
    const tenant = fresh('ten');
    const admin = trafficApiAs(t, { account: ACCOUNT, tenant, roles: ['tenant_admin'] });
    const as2Id = fresh('ACME').toUpperCase();
    const ours = fresh('US').toUpperCase();
    const created = await admin.post('/v1/partners', partnerInput(as2Id));
    const partnerId = created.body.data.id as string;
    await createInstance(t, { instanceId: fresh('ins'), account: ACCOUNT, tenant, myAs2Id: ours });
    expect((await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'quarter close' })).status).toBe(200);

    removeDataFile(dataDir, 'read-models.sqlite');
    const messageId = `<${fresh('blocked')}@x>`;
    const decided = await gatewayAs(t, ACCOUNT).decide({ direction: 'outbound', as2_from: ours, as2_to: as2Id, message_id: messageId, channel: 'rest' });
    expect(decided.body.decision).toBe('block');
    const resumed = await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: false });
    expect([resumed.status, resumed.body.error?.code]).toEqual([503, 'STORE_UNAVAILABLE']);

    await t.app.get(OutboundBlockRecorder).flush();
    const blocks = await t.app.get<EventStore>(EVENT_STORE).readStream(`traffic_block-${partnerId}`);
    expect(blocks.map((event) => [event.type, (event.data as { messageId: string }).messageId])).toEqual([['traffic.outbound_blocked.v1', messageId]]);
  });
});
