import { InProcessEventBus, topicOf, type Filter, type ReadModelCollection, type RecordedEvent } from '@as2-partners/kernel';
import { InMemoryParkedEventStore, InMemoryReadModelStore, TurnsOfLoop } from '@as2-partners/kernel-testing';
import { PARTNER_REGISTRY_TOPIC_SERVICE } from '@as2-partners/partner-registry-contract';
import { KnownPartnerCollections, knownOverrideIdOf, type KnownPartnerOverrideDocument } from './known-partner.document';
import { KnownPartnersConsumer } from './known-partners.consumer';
import type { PartnerCertificateLinkHandler } from './partner-certificate-link.handler';
import type { PartnerRemovalHandler } from './partner-removal.handler';

const OVERRIDES = 1_000;
const master = (n: number) => `prt_m${String(n).padStart(4, '0')}`;
const overrideOf = (tenant: string, masterPartnerId: string): KnownPartnerOverrideDocument => ({ _id: knownOverrideIdOf(masterPartnerId, tenant), account: 'acc', tenant, masterPartnerId, signAlgorithm: 'sha512' });
const eventOf = (type: string, data: Record<string, unknown>, position: number) =>
  ({ id: `evt-${position}`, type, data, metadata: { account: 'acc', tenant: null }, stream: 's', revision: 0, position }) as unknown as RecordedEvent;

describe('KnownPartnersConsumer: ended overrides', () => {
  let consumer: KnownPartnersConsumer;
  let bus: InProcessEventBus;
  let overrides: ReadModelCollection<KnownPartnerOverrideDocument>;
  /** The overrides each turn of the event loop deleted. */
  let deletions: TurnsOfLoop;

  beforeEach(async () => {
    const readModels = new InMemoryReadModelStore();
    overrides = readModels.collection<KnownPartnerOverrideDocument>(KnownPartnerCollections.overrides);
    const deleteMany = overrides.deleteMany.bind(overrides);
    overrides.deleteMany = async (filter: Filter) => {
      const deleted = await deleteMany(filter);
      deletions.record(deleted);
      return deleted;
    };
    const collection = readModels.collection.bind(readModels);
    jest.spyOn(readModels, 'collection').mockImplementation(((name: string) => (name === KnownPartnerCollections.overrides ? overrides : collection(name))) as typeof readModels.collection);
    bus = new InProcessEventBus();
    const removal = { removePartner: async () => undefined } as unknown as PartnerRemovalHandler;
    consumer = new KnownPartnersConsumer({ bus, readModels, parked: new InMemoryParkedEventStore() }, removal, {} as PartnerCertificateLinkHandler);
    await consumer.start();
    deletions = new TurnsOfLoop();
  });

  afterEach(async () => {
    deletions.stop();
    await consumer.stop();
  });

  it("drops a deleted tenant's 1,000 sign_algorithm overrides 100 a turn, the event loop free between (all at once held it ~110 ms), and keeps another tenant's", async () => {
    for (let n = 0; n < OVERRIDES; n++) await overrides.put(overrideOf('t9', master(n)));
    await overrides.put(overrideOf('t1', master(0)));

    await bus.publish(topicOf(PARTNER_REGISTRY_TOPIC_SERVICE), [eventOf('tenant.deleted.v1', { account: 'acc', tenantId: 't9', deletedAt: '2026-12-07T00:00:00.000Z' }, 1)]);

    expect((await overrides.find({ filter: {} })).items.map((doc) => doc._id)).toEqual([knownOverrideIdOf(master(0), 't1')]);
    expect(deletions.total).toBe(OVERRIDES);
    expect(deletions.mostInOneTurn).toBeLessThanOrEqual(100);
  });

  it("drops a deleted master partner's overrides in 1,000 tenants 100 a turn, and keeps another master's", async () => {
    for (let n = 0; n < OVERRIDES; n++) await overrides.put(overrideOf(`t${n}`, master(0)));
    await overrides.put(overrideOf('t1', master(1)));

    await bus.publish(topicOf(PARTNER_REGISTRY_TOPIC_SERVICE), [eventOf('master_partner.deleted.v1', { partnerId: master(0), account: 'acc', as2Id: 'M0', deletedAt: '2026-12-07T00:00:00.000Z' }, 1)]);

    expect((await overrides.find({ filter: {} })).items.map((doc) => doc._id)).toEqual([knownOverrideIdOf(master(1), 't1')]);
    expect(deletions.total).toBe(OVERRIDES);
    expect(deletions.mostInOneTurn).toBeLessThanOrEqual(100);
  });
});
