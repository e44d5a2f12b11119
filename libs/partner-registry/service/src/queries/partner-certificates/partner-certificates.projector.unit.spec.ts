import { InProcessEventBus, RebuildUnavailableError, type EventBus, type RecordedEvent } from '@as2-partners/kernel';
import { Logger } from '@nestjs/common';
import { InMemoryParkedEventStore, InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import { followerLoggerOf } from '@as2-partners/platform';
import { CertificateLifecycleEventFeed } from '../../reactions/certificate-lifecycle-events/certificate-lifecycle-event-feed';
import { CERTIFICATE_LIFECYCLE_TOPIC, type AttachedCertificateFacts } from '../../reactions/certificate-lifecycle-events/certificate-lifecycle-events';
import { PartnerCertificatesConsumer } from '../../reactions/certificate-lifecycle-events/partner-certificates.consumer';
import { MalformedCertificateEventError, PartnerCertificatesProjector } from './partner-certificates.projector';
import { PartnerCertificatesQuery, type CertificateOwner } from './partner-certificates.query';

const ACCOUNT = 'acct-1';
const TENANT = 'tenant-a';
const PARTNER = 'prt_01JPARTNER000000000000000A';
const owner: CertificateOwner = { account: ACCOUNT, tenant: TENANT, partnerId: PARTNER };

function certificate(certificateId: string, createdAt = '2024-01-01T10:00:00.000Z'): AttachedCertificateFacts {
  return {
    certificateId,
    name: `Certificate ${certificateId}`,
    type: 'partner',
    usage: 'both',
    subject: `CN=${certificateId}, O=Acme Corporation, C=US`,
    notAfter: '2025-01-01T00:00:00.000Z',
    createdAt,
  };
}

describe('partner certificates projection', () => {
  let store: InMemoryReadModelStore;
  let projector: PartnerCertificatesProjector;
  let query: PartnerCertificatesQuery;
  let feed: CertificateLifecycleEventFeed;

  beforeEach(() => {
    store = new InMemoryReadModelStore();
    projector = new PartnerCertificatesProjector(store);
    query = new PartnerCertificatesQuery(store);
    feed = new CertificateLifecycleEventFeed(ACCOUNT, () => '2024-06-01T00:00:00.000Z');
  });

  const applyAll = async (events: readonly RecordedEvent[]) => {
    for (const event of events) await projector.apply(event);
  };
  const shown = async (of: CertificateOwner = owner) =>
    Object.fromEntries((await query.certificatesOf(of)).map((c) => [c.certificateId, { active: c.active, slots: c.slots }]));

  it('shows an attached certificate with its facts, active, in no slot until one is assigned', async () => {
    await projector.apply(feed.attached(PARTNER, TENANT, certificate('cert_A')));
    expect(await query.certificatesOf(owner)).toEqual([
      {
        certificateId: 'cert_A',
        name: 'Certificate cert_A',
        type: 'partner',
        usage: 'both',
        subject: 'CN=cert_A, O=Acme Corporation, C=US',
        active: true,
        notAfter: '2025-01-01T00:00:00.000Z',
        createdAt: '2024-01-01T10:00:00.000Z',
        slots: [],
      },
    ]);
  });

  it('lets the signature slot follow encryption until it is set apart, and follow again when told', async () => {
    await applyAll([
      feed.attached(PARTNER, TENANT, certificate('cert_A')),
      feed.attached(PARTNER, TENANT, certificate('cert_B')),
      feed.slotAssigned(PARTNER, 'encryption', 'cert_A'),
    ]);
    expect(await shown()).toEqual({ cert_A: { active: true, slots: ['encryption', 'signature'] }, cert_B: { active: true, slots: [] } });
    await projector.apply(feed.slotAssigned(PARTNER, 'signature', 'cert_B'));
    expect(await shown()).toEqual({ cert_A: { active: true, slots: ['encryption'] }, cert_B: { active: true, slots: ['signature'] } });
    await projector.apply(feed.signatureFollowsEncryption(PARTNER));
    expect(await shown()).toEqual({ cert_A: { active: true, slots: ['encryption', 'signature'] }, cert_B: { active: true, slots: [] } });
  });

  it('moves a slot on backup activation, and on trust activation keeps a following signature slot following', async () => {
    await applyAll([
      feed.attached(PARTNER, TENANT, certificate('cert_A')),
      feed.attached(PARTNER, TENANT, certificate('cert_B')),
      feed.attached(PARTNER, TENANT, certificate('cert_C')),
      feed.slotAssigned(PARTNER, 'encryption', 'cert_A'),
      feed.backupActivated(PARTNER, 'encryption', 'cert_B'),
    ]);
    expect(await shown()).toMatchObject({ cert_A: { slots: [] }, cert_B: { slots: ['encryption', 'signature'] } });
    await projector.apply(feed.trustActivated(PARTNER, 'cert_C', ['encryption', 'signature', 'tls']));
    expect(await shown()).toMatchObject({ cert_B: { slots: [] }, cert_C: { slots: ['encryption', 'signature', 'tls'] } });
    await projector.apply(feed.trustActivated(PARTNER, 'cert_A', ['encryption']));
    // Still following: the signature slot goes where encryption goes.
    expect(await shown()).toMatchObject({ cert_A: { slots: ['encryption', 'signature'] }, cert_C: { slots: ['tls'] } });
  });

  it('moves a set-apart signature slot on trust activation of both slots', async () => {
    await applyAll([
      feed.attached(PARTNER, TENANT, certificate('cert_A')),
      feed.attached(PARTNER, TENANT, certificate('cert_B')),
      feed.attached(PARTNER, TENANT, certificate('cert_C')),
      feed.slotAssigned(PARTNER, 'encryption', 'cert_A'),
      feed.slotAssigned(PARTNER, 'signature', 'cert_B'),
      feed.trustActivated(PARTNER, 'cert_C', ['encryption', 'signature']),
      feed.slotAssigned(PARTNER, 'encryption', 'cert_A'),
    ]);
    expect(await shown()).toMatchObject({ cert_A: { slots: ['encryption'] }, cert_B: { slots: [] }, cert_C: { slots: ['signature'] } });
  });

  it('makes retired certificates inactive, for the partner (trust) or everywhere (certificate)', async () => {
    const other = 'prt_01JPARTNER000000000000000B';
    await applyAll([
      feed.attached(PARTNER, TENANT, certificate('cert_A')),
      feed.attached(PARTNER, TENANT, certificate('cert_B')),
      feed.attached(other, TENANT, certificate('cert_A')),
      feed.trustRetired(PARTNER, ['cert_A']),
    ]);
    expect(await shown()).toMatchObject({ cert_A: { active: false }, cert_B: { active: true } });
    expect(await shown({ ...owner, partnerId: other })).toMatchObject({ cert_A: { active: true } });
    await projector.apply(feed.retired('cert_B', PARTNER));
    expect(await shown()).toMatchObject({ cert_A: { active: false }, cert_B: { active: false } });
  });

  it('shows a certificate retired for the partner as active again once the partner makes it current again', async () => {
    // A shared (account-level) certificate stays active in the store when one tenant partner retires it, so it may be
    // assigned, scheduled or rolled over to again on that partner.
    await applyAll([
      feed.attached(PARTNER, TENANT, certificate('cert_A')),
      feed.attached(PARTNER, TENANT, certificate('cert_B')),
      feed.trustRetired(PARTNER, ['cert_A']),
      feed.slotAssigned(PARTNER, 'signature', 'cert_A'),
    ]);
    expect(await shown()).toMatchObject({ cert_A: { active: true, slots: ['signature'] } });
    await applyAll([feed.trustRetired(PARTNER, ['cert_A', 'cert_B']), feed.backupActivated(PARTNER, 'tls', 'cert_B')]);
    expect(await shown()).toMatchObject({ cert_A: { active: false }, cert_B: { active: true, slots: ['tls'] } });
    await projector.apply(feed.trustActivated(PARTNER, 'cert_A', ['encryption']));
    expect(await shown()).toMatchObject({ cert_A: { active: true, slots: ['encryption', 'signature'] } });
  });

  it('makes a deactivated certificate inactive, even when the deactivation arrives before the attachment', async () => {
    await projector.apply(feed.deactivated('cert_A', PARTNER));
    await applyAll([feed.attached(PARTNER, TENANT, certificate('cert_A')), feed.attached(PARTNER, TENANT, certificate('cert_B'))]);
    expect(await shown()).toEqual({ cert_A: { active: false, slots: [] }, cert_B: { active: true, slots: [] } });
  });

  it("makes every certificate of a removed partner inactive and empties its slots", async () => {
    await applyAll([
      feed.attached(PARTNER, TENANT, certificate('cert_A')),
      feed.attached(PARTNER, TENANT, certificate('cert_B')),
      feed.slotAssigned(PARTNER, 'encryption', 'cert_A'),
      feed.slotAssigned(PARTNER, 'tls', 'cert_B'),
      feed.partnerRemoved(PARTNER, ['cert_A', 'cert_B']),
    ]);
    expect(await shown()).toEqual({ cert_A: { active: false, slots: [] }, cert_B: { active: false, slots: [] } });
  });

  it('forgets a deleted certificate everywhere and does not bring it back when its attachment comes late', async () => {
    const other = 'prt_01JPARTNER000000000000000B';
    await applyAll([feed.attached(PARTNER, TENANT, certificate('cert_A')), feed.attached(PARTNER, TENANT, certificate('cert_B'))]);
    const lateAttach = feed.attached(other, TENANT, certificate('cert_A'));
    await projector.apply(feed.deleted('cert_A'));
    await projector.apply(lateAttach);
    expect(await shown()).toEqual({ cert_B: { active: true, slots: [] } });
    expect(await shown({ ...owner, partnerId: other })).toEqual({});
  });

  it('is unchanged by redelivery: an old event delivered again does not undo what came after it', async () => {
    const history = [
      feed.attached(PARTNER, TENANT, certificate('cert_A')),
      feed.attached(PARTNER, TENANT, certificate('cert_B')),
      feed.slotAssigned(PARTNER, 'encryption', 'cert_A'),
      feed.deactivated('cert_C', PARTNER),
      feed.backupActivated(PARTNER, 'encryption', 'cert_B'),
      feed.trustRetired(PARTNER, ['cert_A']),
      feed.deleted('cert_D'),
    ];
    await applyAll(history);
    const once = await query.certificatesOf(owner);
    const outcomes = [];
    for (const event of [...history].reverse()) outcomes.push(await projector.apply(event));
    await applyAll(history);
    expect(await query.certificatesOf(owner)).toEqual(once);
    expect(once.map((c) => [c.certificateId, c.active, c.slots])).toEqual([
      ['cert_A', false, []],
      ['cert_B', true, ['encryption', 'signature']],
    ]);
    expect(outcomes.filter((o) => o === 'already_applied')).toHaveLength(5);
  });

  it("shows only the owner's certificates: another tenant's, or the master's, are not the partner's", async () => {
    await applyAll([
      feed.attached(PARTNER, TENANT, certificate('cert_A')),
      feed.attached('prt_01JMASTER0000000000000000M', null, certificate('cert_M')),
    ]);
    expect(await shown({ ...owner, tenant: 'tenant-b' })).toEqual({});
    expect(await shown({ ...owner, account: 'acct-2' })).toEqual({});
    expect(await shown({ account: ACCOUNT, tenant: null, partnerId: 'prt_01JMASTER0000000000000000M' })).toEqual({ cert_M: { active: true, slots: [] } });
    expect(await shown({ account: ACCOUNT, tenant: TENANT, partnerId: 'prt_01JMASTER0000000000000000M' })).toEqual({});
  });

  it('sorts by creation time, then id', async () => {
    await applyAll([
      feed.attached(PARTNER, TENANT, certificate('cert_Z', '2024-01-01T10:00:00.000Z')),
      feed.attached(PARTNER, TENANT, certificate('cert_C', '2024-03-01T10:00:00.000Z')),
      feed.attached(PARTNER, TENANT, certificate('cert_B', '2024-01-01T10:00:00.000Z')),
    ]);
    expect((await query.certificatesOf(owner)).map((c) => c.certificateId)).toEqual(['cert_B', 'cert_Z', 'cert_C']);
  });

  it('refuses malformed events so the bus retries them, and tells irrelevant and unknown types apart', async () => {
    const wrongStream = feed.event('certificate-cert_A', 'partner_certificates.slot_assigned.v1', { partnerId: PARTNER, slot: 'tls', certificateId: 'cert_A' });
    await expect(projector.apply(wrongStream)).rejects.toBeInstanceOf(MalformedCertificateEventError);
    const noPartner = feed.event(`partner_certificates-${PARTNER}`, 'trust.retired.v1', { certificateIds: [] });
    await expect(projector.apply(noPartner)).rejects.toThrow(/data.partnerId/);
    const noCertificate = feed.event('certificate-x', 'certificate.deleted.v1', {});
    await expect(projector.apply(noCertificate)).rejects.toThrow(/data.certificateId/);
    expect(await projector.apply(feed.event('certificate-x', 'certificate.expiring.v1', { certificateId: 'x' }))).toBe('irrelevant');
    expect(await projector.apply(feed.event('certificate_directory-a._account', 'certificate_directory.reserved.v1', {}))).toBe('irrelevant');
    expect(await projector.apply(feed.event('certificate-x', 'certificate.renamed.v9', {}))).toBe('unknown_type');
  });
});

describe('partner certificates consumer', () => {
  it('consumes the certificate-lifecycle topic, parks an event that keeps failing and applies the ones behind it, and stops when stopped', async () => {
    const bus = new InProcessEventBus();
    const store = new InMemoryReadModelStore();
    const parked = new InMemoryParkedEventStore();
    // Pauses of a millisecond between three attempts: the backoff itself is the kernel's to test.
    const retry = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1 };
    const consumer = new PartnerCertificatesConsumer(
      { bus, readModels: store, parked, retry, logger: followerLoggerOf(new Logger('PartnerCertificatesConsumer')) },
      new PartnerCertificatesProjector(store),
    );
    const feed = new CertificateLifecycleEventFeed(ACCOUNT);
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await consumer.start();
    await bus.publish(CERTIFICATE_LIFECYCLE_TOPIC, [feed.attached(PARTNER, TENANT, certificate('cert_A'))]);
    expect(await new PartnerCertificatesQuery(store).certificatesOf(owner)).toHaveLength(1);

    const poisoned = feed.event(`partner_certificates-${PARTNER}`, 'partner_certificates.slot_assigned.v1', { slot: 'tls' });
    await bus.publish(CERTIFICATE_LIFECYCLE_TOPIC, [poisoned, feed.attached(PARTNER, TENANT, certificate('cert_B'))]);
    expect(await new PartnerCertificatesQuery(store).certificatesOf(owner)).toHaveLength(2);
    const [entry] = await parked.list({ consumer: 'partner-registry.partner-certificates' });
    expect(entry).toMatchObject({ topic: CERTIFICATE_LIFECYCLE_TOPIC, attempts: 3, event: { id: poisoned.id } });
    expect(entry.error).toMatch(/data.partnerId/);
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ eventId: poisoned.id, msg: expect.stringContaining('parked an event') }));
    expect(await consumer.lag()).toMatchObject({ parked: 1, lastError: null });

    await consumer.stop();
    await bus.publish(CERTIFICATE_LIFECYCLE_TOPIC, [feed.attached(PARTNER, TENANT, certificate('cert_C'))]);
    expect(await new PartnerCertificatesQuery(store).certificatesOf(owner)).toHaveLength(2);
    await bus.close();
  });
});

describe('partner certificates consumer as a bus-fed read model', () => {
  const retry = { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 };

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('rebuilds from its copy of the consumed events, without the bus that delivered them', async () => {
    const bus = new InProcessEventBus();
    const store = new InMemoryReadModelStore();
    const parked = new InMemoryParkedEventStore();
    const consumer = new PartnerCertificatesConsumer({ bus, readModels: store, parked, retry }, new PartnerCertificatesProjector(store));
    const feed = new CertificateLifecycleEventFeed(ACCOUNT);
    await consumer.start();
    await bus.publish(CERTIFICATE_LIFECYCLE_TOPIC, [feed.attached(PARTNER, TENANT, certificate('cert_A')), feed.attached(PARTNER, TENANT, certificate('cert_B'))]);
    await bus.publish(CERTIFICATE_LIFECYCLE_TOPIC, [feed.deleted('cert_A')]);
    const before = await new PartnerCertificatesQuery(store).certificatesOf(owner);
    expect(before.map((c) => c.certificateId)).toEqual(['cert_B']);
    await consumer.stop();
    await bus.close();

    await consumer.rebuild();
    expect(await new PartnerCertificatesQuery(store).certificatesOf(owner)).toEqual(before);
  });

  it('refuses to rebuild a read model filled before it kept a copy, rather than lose what it consumed', async () => {
    const store = new InMemoryReadModelStore();
    const projector = new PartnerCertificatesProjector(store);
    await projector.apply(new CertificateLifecycleEventFeed(ACCOUNT).attached(PARTNER, TENANT, certificate('cert_OLD')));
    const consumer = new PartnerCertificatesConsumer({ bus: new InProcessEventBus(), readModels: store, parked: new InMemoryParkedEventStore(), retry }, projector);
    await expect(consumer.rebuild()).rejects.toBeInstanceOf(RebuildUnavailableError);
    await consumer.start();
    await consumer.stop();
    await expect(consumer.rebuild()).rejects.toThrow(/copy of consumed events starts at/);
    expect(await new PartnerCertificatesQuery(store).certificatesOf(owner)).toHaveLength(1);
  });

  it('subscribes again, with backoff, when the bus refused the subscription', async () => {
    const inner = new InProcessEventBus();
    let refusals = 2;
    const flaky: EventBus = {
      publish: (topic, events) => inner.publish(topic, events),
      subscribe: async (options) => {
        if (refusals-- > 0) throw new Error('broker not ready');
        return inner.subscribe(options);
      },
      close: () => inner.close(),
    };
    const store = new InMemoryReadModelStore();
    const consumer = new PartnerCertificatesConsumer({ bus: flaky, readModels: store, parked: new InMemoryParkedEventStore(), retry }, new PartnerCertificatesProjector(store));
    await consumer.start();
    expect(await consumer.lag()).toMatchObject({ running: false, lastError: 'broker not ready' });
    const deadline = Date.now() + 10_000;
    while (!(await consumer.lag()).running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await inner.publish(CERTIFICATE_LIFECYCLE_TOPIC, [new CertificateLifecycleEventFeed(ACCOUNT).attached(PARTNER, TENANT, certificate('cert_A'))]);
    expect(await new PartnerCertificatesQuery(store).certificatesOf(owner)).toHaveLength(1);
    expect(await consumer.lag()).toMatchObject({ running: true, lastError: null });
    await consumer.stop();
    await inner.close();
  });
});
