import { setTimeout as sleep } from 'node:timers/promises';
import { aggregateIdOf, EVENT_BUS, topicOf, type EventBus, type RecordedEvent } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { CertificateLifecycleEventFeed } from '../reactions/certificate-lifecycle-events/certificate-lifecycle-event-feed';
import { CERTIFICATE_LIFECYCLE_TOPIC, type AttachedCertificateFacts } from '../reactions/certificate-lifecycle-events/certificate-lifecycle-events';
import { PartnerRegistryModule } from '../partner-registry.module';
import { API_TIMESTAMP, apiAs, freshTenant, partnerInput, type Api } from './partner-api.spec-support';

let accounts = 0;
function freshAccount(): string {
  accounts += 1;
  return `cert-account-${process.pid}-${accounts}`;
}

function certificate(certificateId: string, usage = 'encryption', createdAt = '2024-01-01T10:00:00.000Z'): AttachedCertificateFacts {
  return {
    certificateId,
    name: 'Acme Corp Encryption Certificate',
    type: 'partner',
    usage,
    subject: 'CN=Acme Corp AS2, O=Acme Corporation, C=US',
    notAfter: '2025-01-01T00:00:00.000Z',
    createdAt,
  };
}

describe('partner details show the certificate-lifecycle service’s certificates (embedded bus)', () => {
  let t: EmbeddedTestApp;
  let bus: EventBus;
  let account: string;
  let feed: CertificateLifecycleEventFeed;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule] });
    bus = t.app.get<EventBus>(EVENT_BUS);
  });
  afterAll(() => t?.close());
  beforeEach(() => {
    account = freshAccount();
    feed = new CertificateLifecycleEventFeed(account);
  });

  /** What the certificate service's outbox relay does: publish on its topic, resolved once every subscriber handled it. */
  const publish = (...events: RecordedEvent[]) => bus.publish(CERTIFICATE_LIFECYCLE_TOPIC, events);
  const tenantApi = (tenant = freshTenant()) => ({ tenant, api: apiAs(t, { account, tenant }) });
  const createPartner = async (api: Api, as2Id: string): Promise<string> => {
    const res = await api.post('/v1/partners', partnerInput(as2Id));
    expect(res.status).toBe(201);
    return res.body.data.id;
  };
  const certificatesOf = async (api: Api, url: string) => {
    const res = await api.get(url);
    expect(res.status).toBe(200);
    return res.body.data.certificates as any[];
  };
  const summary = (certificates: any[]) => certificates.map((c) => [c.id, c.active, c.slots]);

  it('shows an attached certificate with the seed’s fields and the slots it is current in', async () => {
    const { tenant, api } = tenantApi();
    const partnerId = await createPartner(api, 'ACME-CORP-AS2');
    expect(await certificatesOf(api, `/v1/partners/${partnerId}`)).toEqual([]);
    await publish(feed.attached(partnerId, tenant, certificate('cert_000001')), feed.slotAssigned(partnerId, 'encryption', 'cert_000001'));
    const [shown, ...others] = await certificatesOf(api, `/v1/partners/${partnerId}`);
    expect(others).toEqual([]);
    expect(shown).toEqual({
      id: 'cert_000001',
      name: 'Acme Corp Encryption Certificate',
      type: 'partner',
      usage: 'encryption',
      subject: 'CN=Acme Corp AS2, O=Acme Corporation, C=US',
      active: true,
      expires_at: '2025-01-01T00:00:00.000000Z',
      created_at: '2024-01-01T10:00:00.000000Z',
      slots: ['encryption', 'signature'],
    });
    expect(shown.created_at).toMatch(API_TIMESTAMP);
  });

  it('moves slots on backup and trust activation, flips active on retirement, deactivation and partner removal', async () => {
    const { tenant, api } = tenantApi();
    const partnerId = await createPartner(api, 'ROLLOVER');
    const url = `/v1/partners/${partnerId}`;
    await publish(
      feed.attached(partnerId, tenant, certificate('cert_A', 'both', '2024-01-01T00:00:00.000Z')),
      feed.slotAssigned(partnerId, 'encryption', 'cert_A'),
      feed.attached(partnerId, tenant, certificate('cert_B', 'both', '2024-02-01T00:00:00.000Z')),
      feed.attached(partnerId, tenant, certificate('cert_C', 'both', '2024-03-01T00:00:00.000Z')),
      feed.attached(partnerId, tenant, certificate('cert_T', 'tls', '2024-04-01T00:00:00.000Z')),
      feed.slotAssigned(partnerId, 'tls', 'cert_T'),
    );
    await publish(feed.backupActivated(partnerId, 'encryption', 'cert_B'));
    expect(summary(await certificatesOf(api, url))).toEqual([
      ['cert_A', true, []],
      ['cert_B', true, ['encryption', 'signature']],
      ['cert_C', true, []],
      ['cert_T', true, ['tls']],
    ]);
    await publish(feed.trustActivated(partnerId, 'cert_C', ['encryption', 'signature']), feed.trustRetired(partnerId, ['cert_B']), feed.retired('cert_B', partnerId));
    expect(summary(await certificatesOf(api, url))).toEqual([
      ['cert_A', true, []],
      ['cert_B', false, []],
      ['cert_C', true, ['encryption', 'signature']],
      ['cert_T', true, ['tls']],
    ]);
    await publish(feed.deactivated('cert_A', partnerId));
    expect(summary(await certificatesOf(api, url)).map(([id, active]) => [id, active])).toEqual([
      ['cert_A', false],
      ['cert_B', false],
      ['cert_C', true],
      ['cert_T', true],
    ]);
    await publish(feed.deleted('cert_A'), feed.partnerRemoved(partnerId, ['cert_A', 'cert_B', 'cert_C', 'cert_T']));
    expect(summary(await certificatesOf(api, url))).toEqual([
      ['cert_B', false, []],
      ['cert_C', false, []],
      ['cert_T', false, []],
    ]);
  });

  it('is unchanged when the bus delivers everything again, and reordered between streams', async () => {
    const { tenant, api } = tenantApi();
    const partnerId = await createPartner(api, 'REDELIVERED');
    const url = `/v1/partners/${partnerId}`;
    const deactivation = feed.deactivated('cert_Y', partnerId);
    const history = [
      feed.attached(partnerId, tenant, certificate('cert_X')),
      feed.slotAssigned(partnerId, 'encryption', 'cert_X'),
      feed.attached(partnerId, tenant, certificate('cert_Y')),
      feed.backupActivated(partnerId, 'encryption', 'cert_Y'),
      feed.slotAssigned(partnerId, 'signature', 'cert_X'),
    ];
    await publish(deactivation);
    await publish(...history);
    const first = await api.get(url);
    await publish(...history, deactivation);
    await publish(...[...history].reverse());
    const again = await api.get(url);
    expect(again.body.data.certificates).toEqual(first.body.data.certificates);
    expect(summary(first.body.data.certificates)).toEqual([
      ['cert_X', true, ['signature']],
      ['cert_Y', false, ['encryption']],
    ]);
  });

  it('never shows one tenant’s partner certificates to another tenant', async () => {
    const a = tenantApi();
    const b = tenantApi();
    const partnerA = await createPartner(a.api, 'TENANT-A-PARTNER');
    const partnerB = await createPartner(b.api, 'TENANT-B-PARTNER');
    await publish(feed.attached(partnerA, a.tenant, certificate('cert_of_a')), feed.attached(partnerB, b.tenant, certificate('cert_of_b')));
    expect((await b.api.get(`/v1/partners/${partnerA}`)).status).toBe(404);
    expect((await certificatesOf(b.api, `/v1/partners/${partnerB}`)).map((c) => c.id)).toEqual(['cert_of_b']);
    expect((await certificatesOf(a.api, `/v1/partners/${partnerA}`)).map((c) => c.id)).toEqual(['cert_of_a']);
    // A certificate claiming another tenant for A's partner is not A's.
    await publish(feed.event(`partner_certificates-${partnerA}`, 'partner_certificates.certificate_attached.v1', {
      partnerId: partnerA,
      account,
      tenant: b.tenant,
      certificate: certificate('cert_foreign'),
      attachedAt: '2024-06-01T00:00:00.000Z',
    }));
    expect((await certificatesOf(a.api, `/v1/partners/${partnerA}`)).map((c) => c.id)).toEqual(['cert_of_a']);
  });

  it('shows a tenant the master’s certificates on an inherited partner, and the account admin on the master', async () => {
    const admin = apiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const created = await admin.post(`/v1/accounts/${account}/partners`, partnerInput('MASTER-CERTS'));
    expect(created.status).toBe(201);
    const masterId = created.body.data.id;
    await publish(feed.attached(masterId, null, certificate('cert_master')), feed.slotAssigned(masterId, 'encryption', 'cert_master'));
    const { api } = tenantApi();
    await createPartner(api, 'OWN-PARTNER');
    const inherited = await api.get(`/v1/partners/${masterId}`);
    expect(inherited.body.data).toMatchObject({ type: 'inherited', master_partner_id: masterId });
    expect(summary(inherited.body.data.certificates)).toEqual([['cert_master', true, ['encryption', 'signature']]]);
    const unknownTenant = apiAs(t, { account, tenant: freshTenant() });
    expect(summary(await certificatesOf(unknownTenant, `/v1/partners/${masterId}`))).toEqual([['cert_master', true, ['encryption', 'signature']]]);
    expect(summary(await certificatesOf(admin, `/v1/accounts/${account}/partners/${masterId}`))).toEqual([['cert_master', true, ['encryption', 'signature']]]);
    const otherAccount = apiAs(t, { account: freshAccount(), tenant: 'x' });
    expect((await otherAccount.get(`/v1/partners/${masterId}`)).status).toBe(404);
  });

  it('returns from partner create and delete only once other services’ subscribers have the events', async () => {
    const handled = new Set<string>();
    const subscription = await bus.subscribe({
      groupId: `slow-service-${process.pid}`,
      topics: [topicOf('partner-registry')],
      handler: async (event) => {
        // A slow subscriber: without the barrier the request would return before it finished.
        await sleep(150);
        handled.add(`${event.type} ${aggregateIdOf(event.stream)}`);
      },
    });
    try {
      const { api } = tenantApi();
      const partnerId = await createPartner(api, 'BARRIER');
      expect(handled).toContain(`partner.created.v1 ${partnerId}`);
      expect((await api.delete(`/v1/partners/${partnerId}`)).status).toBe(200);
      expect(handled).toContain(`partner.deleted.v1 ${partnerId}`);
      const admin = apiAs(t, { account, tenant: null, roles: ['account_admin'] });
      const master = await admin.post(`/v1/accounts/${account}/partners`, partnerInput('BARRIER-MASTER'));
      expect(handled).toContain(`master_partner.created.v1 ${master.body.data.id}`);
    } finally {
      await subscription.stop();
    }
  });
});
