import { Logger } from '@nestjs/common';
import { InProcessEventBus, type EventBus, type EventMetadata, type RecordedEvent } from '@as2-partners/kernel';
import { InMemoryEventStore, InMemoryParkedEventStore, InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import { CertificateLifecycleEventFeed } from './certificate-lifecycle-event-feed';
import { CERTIFICATE_LIFECYCLE_TOPIC, type AttachedCertificateFacts } from './certificate-lifecycle-events';
import { ScheduledActivationsConsumer } from './scheduled-activations.consumer';

const ACCOUNT = 'acct-1';
const TENANT = 'tenant-a';
const PARTNER = 'prt_01JPARTNER000000000000000A';
const MASTER = 'prt_01JMASTER0000000000000000B';
const retry = { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 };

const certificate = (certificateId: string): AttachedCertificateFacts => ({
  certificateId,
  name: certificateId,
  type: 'partner',
  usage: 'both',
  subject: `CN=${certificateId}`,
  notAfter: '2030-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
});

/** The scheduling events as the certificate-lifecycle's decider writes them, on the partner's stream, owned through the envelope. */
class SchedulingFeed {
  readonly feed = new CertificateLifecycleEventFeed(ACCOUNT, () => '2026-06-01T00:00:00.000Z');
  private readonly tenantOf = new Map<string, string | null>();

  attached(partnerId: string, tenant: string | null, certificateId: string): RecordedEvent {
    this.tenantOf.set(partnerId, tenant);
    return this.feed.attached(partnerId, tenant, certificate(certificateId));
  }
  backupScheduled(partnerId: string, slot: string, certificateId: string, activateOn: string): RecordedEvent {
    return this.on(partnerId, 'partner_certificates.backup_scheduled.v1', { partnerId, slot, certificateId, activateOn, replacesCertificateId: null, scheduledAt: '2026-06-01T00:00:00.000Z' });
  }
  backupCancelled(partnerId: string, slot: string, certificateId: string): RecordedEvent {
    return this.on(partnerId, 'partner_certificates.backup_cancelled.v1', { partnerId, slot, certificateId, activateOn: '2026-07-01T00:00:00.000Z', cancelledAt: '2026-06-02T00:00:00.000Z' });
  }
  backupActivated(partnerId: string, slot: string, certificateId: string): RecordedEvent {
    return this.on(partnerId, 'partner_certificates.backup_activated.v1', { partnerId, slot, certificateId, previousCertificateId: null, scheduledFor: '2026-07-01T00:00:00.000Z', activatedAt: '2026-07-01T00:00:01.000Z', lateByMs: 1000, trigger: { type: 'scheduler', actor: 's' } });
  }
  rolloverScheduled(partnerId: string, nextCertificateId: string, activateAt: string, slots = ['encryption', 'signature']): RecordedEvent {
    const data = { partnerId, nextCertificateId, currentCertificateIds: {}, slots, activateAt, overlapUntil: '2026-12-31T00:00:00.000Z', replacesNextCertificateId: null, scheduledAt: '2026-06-01T00:00:00.000Z' };
    return this.on(partnerId, 'trust.rollover_scheduled.v1', data);
  }
  trustActivated(partnerId: string, certificateId: string): RecordedEvent {
    return this.feed.event(`partner_certificates-${partnerId}`, 'trust.activated.v1', { partnerId, certificateId, slots: ['encryption'], scheduledFor: 'x', activatedAt: 'x', overlapUntil: 'x' }, this.tenantOf.get(partnerId) ?? null);
  }
  removed(partnerId: string): RecordedEvent {
    return this.on(partnerId, 'partner_certificates.partner_removed.v1', { partnerId, certificateIds: [], removedAt: '2026-08-01T00:00:00.000Z' });
  }
  private on(partnerId: string, type: string, data: unknown): RecordedEvent {
    return this.feed.event(`partner_certificates-${partnerId}`, type, data, this.tenantOf.get(partnerId) ?? null);
  }
}

describe('scheduled activations of a partner, learned from the certificate-lifecycle events', () => {
  let bus: EventBus;
  let readModels: InMemoryReadModelStore;
  let consumer: ScheduledActivationsConsumer;
  let s: SchedulingFeed;
  const publish = (...events: RecordedEvent[]) => bus.publish(CERTIFICATE_LIFECYCLE_TOPIC, events);
  const listed = (tenant: string | null = TENANT, partnerId = PARTNER) => consumer.activationsOf(ACCOUNT, tenant, partnerId);

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    bus = new InProcessEventBus();
    readModels = new InMemoryReadModelStore();
    consumer = new ScheduledActivationsConsumer({ bus, readModels, parked: new InMemoryParkedEventStore(), retry }, new InMemoryEventStore());
    s = new SchedulingFeed();
    await consumer.start();
  });

  afterEach(async () => {
    await consumer.stop();
    await bus.close();
    jest.restoreAllMocks();
  });

  it('lists a scheduled rollover and backups with their fingerprints, soonest first', async () => {
    await publish(s.attached(PARTNER, TENANT, 'cert_NEXT'), s.attached(PARTNER, TENANT, 'cert_TLS'));
    await publish(s.rolloverScheduled(PARTNER, 'cert_NEXT', '2026-09-01T00:00:00.000Z'), s.backupScheduled(PARTNER, 'tls', 'cert_TLS', '2026-07-01T00:00:00.000Z'));
    expect(await listed()).toEqual([
      { kind: 'backup', slots: ['tls'], certificateId: 'cert_TLS', fingerprintSha256: 'ab'.repeat(32), activateAt: '2026-07-01T00:00:00.000Z', overlapUntil: null },
      {
        kind: 'rollover',
        slots: ['encryption', 'signature'],
        certificateId: 'cert_NEXT',
        fingerprintSha256: 'ab'.repeat(32),
        activateAt: '2026-09-01T00:00:00.000Z',
        overlapUntil: '2026-12-31T00:00:00.000Z',
      },
    ]);
  });

  it('drops what was activated, cancelled, superseded or removed with the partner', async () => {
    await publish(s.attached(PARTNER, TENANT, 'cert_A'), s.backupScheduled(PARTNER, 'encryption', 'cert_A', '2026-07-01T00:00:00.000Z'));
    await publish(s.backupScheduled(PARTNER, 'encryption', 'cert_B', '2026-07-02T00:00:00.000Z'));
    expect((await listed()).map((a) => [a.certificateId, a.fingerprintSha256])).toEqual([['cert_B', null]]);
    await publish(s.backupCancelled(PARTNER, 'encryption', 'cert_B'));
    expect(await listed()).toEqual([]);

    await publish(s.backupScheduled(PARTNER, 'signature', 'cert_A', '2026-07-01T00:00:00.000Z'), s.rolloverScheduled(PARTNER, 'cert_A', '2026-09-01T00:00:00.000Z'));
    await publish(s.rolloverScheduled(PARTNER, 'cert_C', '2026-10-01T00:00:00.000Z', ['tls']));
    expect((await listed()).map((a) => [a.kind, a.certificateId, a.slots])).toEqual([
      ['backup', 'cert_A', ['signature']],
      ['rollover', 'cert_C', ['tls']],
    ]);
    await publish(s.backupActivated(PARTNER, 'signature', 'cert_A'), s.trustActivated(PARTNER, 'cert_C'));
    expect(await listed()).toEqual([]);

    await publish(s.backupScheduled(PARTNER, 'tls', 'cert_A', '2026-11-01T00:00:00.000Z'), s.removed(PARTNER));
    expect(await listed()).toEqual([]);
  });

  it('applies each event of a partner once: a redelivered schedule does not bring back what was cancelled', async () => {
    const scheduled = s.backupScheduled(PARTNER, 'tls', 'cert_A', '2026-07-01T00:00:00.000Z');
    await publish(scheduled, s.backupCancelled(PARTNER, 'tls', 'cert_A'));
    await publish(scheduled);
    expect(await listed()).toEqual([]);
  });

  it("never lists another tenant's or another account's; a master partner's are the account's", async () => {
    await publish(s.attached(PARTNER, TENANT, 'cert_A'), s.backupScheduled(PARTNER, 'tls', 'cert_A', '2026-07-01T00:00:00.000Z'));
    await publish(s.attached(MASTER, null, 'cert_M'), s.rolloverScheduled(MASTER, 'cert_M', '2026-09-01T00:00:00.000Z'));
    expect(await listed()).toHaveLength(1);
    expect(await listed('tenant-b')).toEqual([]);
    expect(await listed(null)).toEqual([]);
    expect(await consumer.activationsOf('acct-2', TENANT, PARTNER)).toEqual([]);
    expect(await listed(null, MASTER)).toHaveLength(1);
    expect(await listed(TENANT, MASTER)).toEqual([]);
  });

  it('ignores other events of the topic', async () => {
    await publish(s.feed.slotAssigned(PARTNER, 'tls', 'cert_A'), s.feed.event('key_alias-acct-1/tenant-a/k', 'key.rollover_scheduled.v1', { alias: 'k' }));
    expect(await readModels.collection('partner_registry_scheduled_activations').count({})).toBe(0);
  });
});

describe('scheduled activations in embedded mode: a new consumer sees the history', () => {
  const metadata: EventMetadata = { account: ACCOUNT, tenant: TENANT, correlationId: 'c', causationId: null, actor: { type: 'user', id: 'u' }, occurredAt: '2026-06-01T00:00:00.000Z' };
  const stored = (e: RecordedEvent) => ({ id: e.id, type: e.type, schemaVersion: 1, data: e.data, metadata });

  it('reads the events stored before its first start, then takes the bus repeating them without applying them twice, and rebuilds from the store', async () => {
    const store = new InMemoryEventStore();
    const s = new SchedulingFeed();
    const past = [s.attached(PARTNER, TENANT, 'cert_A'), s.backupScheduled(PARTNER, 'tls', 'cert_A', '2026-07-01T00:00:00.000Z'), s.rolloverScheduled(PARTNER, 'cert_A', '2026-09-01T00:00:00.000Z')];
    for (const event of past) await store.append(event.stream, [stored(event)], 'any');
    await store.append('partner-x', [stored(s.feed.event('partner-x', 'partner.created.v1', {}))], 'any');
    const bus = new InProcessEventBus();
    const readModels = new InMemoryReadModelStore();
    const make = () => new ScheduledActivationsConsumer({ bus, readModels, parked: new InMemoryParkedEventStore(), retry }, store);
    const consumer = make();
    await consumer.start();
    expect((await consumer.activationsOf(ACCOUNT, TENANT, PARTNER)).map((a) => a.kind)).toEqual(['backup', 'rollover']);

    // The relay had not published the cancellation yet: it publishes from its checkpoint, repeating the schedule first.
    const recorded = await store.readAll();
    await store.append(past[1]!.stream, [stored(s.backupCancelled(PARTNER, 'tls', 'cert_A'))], 'any');
    const cancellation = (await store.readAll()).at(-1)!;
    await bus.publish(CERTIFICATE_LIFECYCLE_TOPIC, [recorded[1]!, cancellation]);
    expect((await consumer.activationsOf(ACCOUNT, TENANT, PARTNER)).map((a) => a.kind)).toEqual(['rollover']);
    await consumer.stop();

    // A later start reads no history again: a schedule stored meanwhile and never published stays unknown.
    await store.append(past[1]!.stream, [stored(s.backupScheduled(PARTNER, 'encryption', 'cert_A', '2026-07-05T00:00:00.000Z'))], 'any');
    const restarted = make();
    await restarted.start();
    expect((await restarted.activationsOf(ACCOUNT, TENANT, PARTNER)).map((a) => a.kind)).toEqual(['rollover']);
    await restarted.stop();

    // A rebuild replays the store (no copy is kept beside it): every event it holds, that schedule too.
    await restarted.rebuild();
    expect((await restarted.activationsOf(ACCOUNT, TENANT, PARTNER)).map((a) => a.kind)).toEqual(['backup', 'rollover']);
    await bus.close();
  });

  it('a first start cut short resumes its catch-up after the last page it finished', async () => {
    const store = new InMemoryEventStore();
    const s = new SchedulingFeed();
    const past = [s.attached(PARTNER, TENANT, 'cert_A'), s.rolloverScheduled(PARTNER, 'cert_A', '2026-09-01T00:00:00.000Z')];
    for (const event of past) await store.append(event.stream, [stored(event)], 'any');
    const [attached] = await store.readAll();
    const readModels = new InMemoryReadModelStore();
    // What the crash left: the copy begun, the catch-up past the attachment (its fingerprint then lost with the read model).
    const copy = readModels.collection<{ _id: string; complete?: boolean; since?: string; after?: number; done?: boolean }>('consumed_events.partner-registry.scheduled-activations');
    await copy.put({ _id: '~copy', complete: true, since: '2026-06-01T00:00:00.000Z' });
    await copy.put({ _id: '~history', after: attached!.position, done: false });
    const bus = new InProcessEventBus();
    const consumer = new ScheduledActivationsConsumer({ bus, readModels, parked: new InMemoryParkedEventStore(), retry }, store);
    await consumer.start();
    expect((await consumer.activationsOf(ACCOUNT, TENANT, PARTNER)).map((a) => [a.kind, a.fingerprintSha256])).toEqual([['rollover', null]]);
    await consumer.stop();
    await bus.close();
  });

  it('with Kafka (another bus), reads no store: the new group reads the topic from its start', async () => {
    const store = new InMemoryEventStore();
    const readAll = jest.spyOn(store, 'readAll');
    const bus = { publish: jest.fn(), subscribe: jest.fn(async () => ({ stop: async () => undefined })), close: jest.fn() } as unknown as EventBus;
    const consumer = new ScheduledActivationsConsumer({ bus, readModels: new InMemoryReadModelStore(), parked: new InMemoryParkedEventStore(), retry }, store);
    await consumer.start();
    expect(readAll).not.toHaveBeenCalled();
    await consumer.stop();
  });
});
