import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { describeWithServer, eventually } from '@as2-partners/kernel-testing';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';
import { createInstance, fresh, gatewayAs, partnerInput, publishRegistryEvent, trafficApiAs } from './traffic-api.spec-support';

const ACCOUNT = 'acct-notices';
const INTERVAL_MS = 4000;

interface MailpitMessage {
  readonly ID: string;
  readonly To: { readonly Address: string }[];
  readonly Subject: string;
  readonly Created: string;
}

/** Blocked outbound messages e-mailed through a real SMTP server (Mailpit); its HTTP API says what arrived. */
describeWithServer('SMTP_URL', 'blocked-message notices over real SMTP', (smtpUrl) => {
  const api = process.env['MAILPIT_API_URL'] as string;
  let t: EmbeddedTestApp;
  const defaultAddress = `${fresh('default')}@notices.example`;

  async function mailsTo(address: string): Promise<(MailpitMessage & { text: string })[]> {
    const list = (await (await fetch(`${api}/api/v1/messages?limit=500`)).json()) as { messages: MailpitMessage[] };
    const mine = list.messages.filter((m) => m.To.some((to) => to.Address === address));
    return Promise.all(mine.map(async (m) => ({ ...m, text: ((await (await fetch(`${api}/api/v1/message/${m.ID}`)).json()) as { Text: string }).Text })));
  }

  beforeAll(async () => {
    if (!api) throw new Error('MAILPIT_API_URL is not set: run the suite through `npm test`, which provisions Mailpit with SMTP_URL');
    t = await createEmbeddedTestApp({
      imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule],
      env: { SMTP_URL: smtpUrl, TRAFFIC_NOTICE_DEFAULT_EMAIL: defaultAddress, TRAFFIC_NOTICE_GATHER_MS: '1000', TRAFFIC_NOTICE_INTERVAL_MS: String(INTERVAL_MS) },
    });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  async function pausedPartner(tenantNotificationEmail?: string) {
    const tenant = fresh('ten');
    if (tenantNotificationEmail) {
      const accountAdmin = trafficApiAs(t, { account: ACCOUNT, tenant: null, roles: ['account_admin'] });
      const registered = await accountAdmin.post(`/v1/accounts/${ACCOUNT}/tenants`, { id: tenant, name: 'Noticed', notification_email: tenantNotificationEmail });
      expect(registered.status).toBe(201);
    }
    const admin = trafficApiAs(t, { account: ACCOUNT, tenant, roles: ['tenant_admin'] });
    const as2Id = fresh('ACME').toUpperCase();
    const ours = fresh('US').toUpperCase();
    const partnerId = (await admin.post('/v1/partners', partnerInput(as2Id))).body.data.id as string;
    await createInstance(t, { instanceId: fresh('ins'), account: ACCOUNT, tenant, myAs2Id: ours });
    expect((await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'quarter close' })).status).toBe(200);
    const gateway = gatewayAs(t, ACCOUNT);
    const outbound = (messageId: string) => ({ direction: 'outbound', as2_from: ours, as2_to: as2Id, message_id: messageId, channel: 'sftp' });
    const block = async (messageId: string) => expect((await gateway.decide(outbound(messageId))).body.decision).toBe('block');
    // A burst as a gateway sends it: one batch request, so a loaded machine cannot spread it past the gather time.
    const blockAll = async (messageIds: string[]) => {
      const res = await gateway.batch({ decisions: messageIds.map(outbound) });
      expect([res.status, res.body.decisions.map((answer: { decision: string }) => answer.decision)]).toEqual([200, messageIds.map(() => 'block')]);
    };
    return { tenant, partnerId, block, blockAll };
  }

  it("a burst of blocks gives one e-mail to the station's notification address, listing every message id", async () => {
    const { tenant, partnerId, block, blockAll } = await pausedPartner();
    const stationAddress = `${fresh('station')}@ops.example`;
    const stationId = fresh('stn');
    await publishRegistryEvent(t, 'station.created.v1', { stationId, account: ACCOUNT, tenant, name: 'Ops', notificationEmail: stationAddress, as2InstanceId: null, createdAt: new Date().toISOString() }, { account: ACCOUNT, tenant });
    await publishRegistryEvent(t, 'partner.updated.v1', { partnerId, changes: { stationId }, updatedAt: new Date().toISOString() }, { account: ACCOUNT, tenant });
    const ids = [`<${fresh('a')}@x>`, `<${fresh('b')}@x>`, `<${fresh('c')}@x>`];
    await blockAll(ids);

    const mails = await eventually('the notice', async () => {
      const found = await mailsTo(stationAddress);
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    expect(mails).toHaveLength(1);
    for (const id of ids) expect(mails[0].text).toContain(id);
    expect(mails[0].Subject).toContain('3 message(s)');

    // Within the interval another block waits; after it, exactly one more e-mail names only the new id.
    const later = `<${fresh('d')}@x>`;
    await block(later);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await mailsTo(stationAddress)).toHaveLength(1);
    const both = await eventually('the second notice', async () => {
      const found = await mailsTo(stationAddress);
      return found.length === 2 ? found : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    const second = both.find((m) => m.text.includes(later));
    expect(second).toBeDefined();
    for (const id of ids) expect(second?.text).not.toContain(id);
  }, 60_000);

  it('a partner without a station address notifies the configured default address, once per block', async () => {
    const { block } = await pausedPartner();
    const id = `<${fresh('lonely')}@x>`;
    await block(id);
    const mails = await eventually('the notice', async () => {
      const found = (await mailsTo(defaultAddress)).filter((m) => m.text.includes(id));
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await mailsTo(defaultAddress)).filter((m) => m.text.includes(id))).toHaveLength(1);
    expect(mails[0].text).toContain('quarter close');
  }, 60_000);

  it("a partner without a station notifies the tenant record's address before the configured default, and the default once the tenant clears it", async () => {
    const tenantAddress = `${fresh('tenant')}@plant.example`;
    const { tenant, block } = await pausedPartner(tenantAddress);
    const first = `<${fresh('tenant-first')}@x>`;
    await block(first);
    const mails = await eventually('the notice', async () => {
      const found = (await mailsTo(tenantAddress)).filter((m) => m.text.includes(first));
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    expect(mails).toHaveLength(1);
    expect((await mailsTo(defaultAddress)).filter((m) => m.text.includes(first))).toHaveLength(0);

    const accountAdmin = trafficApiAs(t, { account: ACCOUNT, tenant: null, roles: ['account_admin'] });
    expect((await accountAdmin.patch(`/v1/accounts/${ACCOUNT}/tenants/${tenant}`, { notification_email: null })).status).toBe(200);
    const second = `<${fresh('tenant-cleared')}@x>`;
    // The tenant's change reaches traffic-control through the registry's events: blocks until the default gets one.
    await eventually('the notice to the default', async () => {
      await block(second);
      const found = (await mailsTo(defaultAddress)).filter((m) => m.text.includes(second));
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 40_000, intervalMs: 1000 });
    expect((await mailsTo(tenantAddress)).filter((m) => m.text.includes(second))).toHaveLength(0);
  }, 90_000);

  it("an inherited master partner's notice goes to the station the tenant put it in, under the tenant's name for it", async () => {
    const tenant = fresh('ten');
    const accountAdmin = trafficApiAs(t, { account: ACCOUNT, tenant: null, roles: ['account_admin'] });
    const admin = trafficApiAs(t, { account: ACCOUNT, tenant, roles: ['tenant_admin'] });
    const as2Id = fresh('MASTER').toUpperCase();
    const ours = fresh('US').toUpperCase();
    const masterId = (await accountAdmin.post(`/v1/accounts/${ACCOUNT}/partners`, partnerInput(as2Id))).body.data.id as string;
    const stationAddress = `${fresh('station')}@ops.example`;
    const stationId = (await admin.post('/v1/stations', { name: 'Ops', notification_email: stationAddress })).body.data.id as string;
    const overridden = await admin.patch(`/v1/partners/${masterId}`, { station_id: stationId, email: 'edi@master.example', name: 'Master as we call it' });
    expect(overridden.status).toBe(200);
    await createInstance(t, { instanceId: fresh('ins'), account: ACCOUNT, tenant, myAs2Id: ours });
    expect((await admin.put(`/v1/partners/${masterId}/traffic/outgoing`, { paused: true, reason: 'quarter close' })).status).toBe(200);
    const id = `<${fresh('inherited')}@x>`;
    const decided = await gatewayAs(t, ACCOUNT, tenant).decide({ direction: 'outbound', as2_from: ours, as2_to: as2Id, message_id: id });
    expect(decided.body.decision).toBe('block');

    const mails = await eventually('the notice', async () => {
      const found = [...(await mailsTo(stationAddress)), ...(await mailsTo(defaultAddress))].filter((m) => m.text.includes(id));
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    expect(mails.map((m) => [m.To.map((to) => to.Address), m.Subject])).toEqual([[[stationAddress], `Outbound traffic paused: 1 message(s) to Master as we call it (${as2Id}) were not sent`]]);
  }, 60_000);
});
