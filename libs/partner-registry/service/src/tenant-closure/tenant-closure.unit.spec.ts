import { DirectoryReservations, toNewEvents, secretsInReadModels, WriteModel, type EventMetadata, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import { InMemoryEventStore, TurnsOfLoop } from '@as2-partners/kernel-testing';
import { partnerDecider, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import { SecretSealer } from '../secrets/secret-sealer';
import { TenantDataKeyStore } from '../secrets/tenant-data-key.store';
import { TenantSecrets } from '../secrets/tenant-secrets';
import { masterDirectoryScope, tenantDirectoryScope } from '../write-model/directory-scopes';
import { PartnerDirectoryService } from '../write-model/partner-directory.service';
import { ExchangeQueries } from '../queries/exchange-views/exchange-queries';
import { PartnershipRemoval } from '../write-model/partnership-removal';
import { TenantClosure } from './tenant-closure';

const NOW = '2026-01-01T00:00:00.000Z';
const clock = { now: () => new Date(NOW) };
const metadata: EventMetadata = { account: 'acc', tenant: 'ten', correlationId: 'c', causationId: null, actor: { type: 'user', id: 'u' }, occurredAt: NOW };
const noKeys = {
  collection: () => ({ deleteMany: async () => 0, find: async () => ({ items: [], total: 0 }) }) as unknown as ReadModelCollection<never>,
  close: async () => undefined,
} as ReadModelStore;
const id = (n: number) => `prt_01J0000000000000000000000${n}`;

describe('TenantClosure', () => {
  let store: InMemoryEventStore;
  let writeModel: WriteModel;
  let directory: PartnerDirectoryService;
  let closure: TenantClosure;

  async function createPartner(tenant: string, partnerId: string): Promise<void> {
    await directory.reserve(tenantDirectoryScope(writeModel, 'acc', tenant), { as2Id: partnerId, partnerId, planLimit: null, now: new Date(NOW) }, metadata);
    const events = partnerDecider.decide(
      { type: 'create_partner', partnerId, account: 'acc', tenant, as2Id: partnerId, settings: { name: 'P', url: 'https://p.example.com/as2' }, now: NOW },
      partnerDecider.initialState(),
    );
    await store.append(PartnerRegistryStreams.partner(partnerId), toNewEvents(events, metadata), 'no_stream');
  }

  async function deleteTenant(tenant: string): Promise<void> {
    await store.append(
      PartnerRegistryStreams.tenant('acc', tenant),
      toNewEvents(
        [
          { type: 'tenant.created.v1', data: { account: 'acc', tenantId: tenant, name: tenant, plan: 'starter', createdAt: NOW } },
          { type: 'tenant.deleted.v1', data: { account: 'acc', tenantId: tenant, deletedAt: NOW } },
        ],
        metadata,
      ),
      'no_stream',
    );
  }

  const types = async (stream: string) => (await store.readStream(stream)).map((e) => e.type);

  beforeEach(() => {
    store = new InMemoryEventStore();
    writeModel = new WriteModel(store);
    directory = new PartnerDirectoryService(writeModel);
    const secrets = new TenantSecrets(writeModel, clock, SecretSealer.ephemeral(), new TenantDataKeyStore(secretsInReadModels(noKeys)));
    const reservations = new DirectoryReservations(writeModel);
    closure = new TenantClosure(writeModel, clock, secrets, directory, reservations, new PartnershipRemoval(writeModel, reservations), new ExchangeQueries(noKeys));
  });

  it("deletes each partner once with its own event, releases its AS2 id, resets overrides, destroys the key, and a second run does nothing", async () => {
    await createPartner('ten', id(1));
    await createPartner('ten', id(2));
    await createPartner('other', id(3));
    await directory.reserve(masterDirectoryScope(writeModel, 'acc'), { as2Id: 'MASTER', partnerId: id(9), planLimit: null, now: new Date(NOW) }, metadata);
    await store.append(
      PartnerRegistryStreams.override('acc', 'ten', id(9)),
      toNewEvents([{ type: 'partner.override_set.v1', data: { account: 'acc', tenant: 'ten', masterPartnerId: id(9), changes: { compress: true }, overrides: { compress: true }, setAt: NOW } }], metadata),
      'no_stream',
    );
    await deleteTenant('ten');

    expect(await closure.close('acc', 'ten', metadata)).not.toBeNull();
    for (const n of [1, 2]) expect(await types(`partner-${id(n)}`)).toEqual(['partner.created.v1', 'partner.deleted.v1']);
    expect(await types(`partner-${id(3)}`)).toEqual(['partner.created.v1']);
    expect((await types('partner_directory-acc.ten')).filter((t) => t === 'partner_directory.as2_id_released.v1')).toHaveLength(2);
    expect(await types(`partner_override-acc.ten.${id(9)}`)).toEqual(['partner.override_set.v1', 'partner.overrides_reset.v1']);
    expect(await types('tenant_data_key-acc.ten')).toEqual(['tenant_data_key.destroyed.v1']);

    const before = await store.lastPosition();
    expect(await closure.close('acc', 'ten', metadata)).toBeNull();
    expect(await store.lastPosition()).toBe(before);
  });

  it('finishes a closure a crash interrupted between a deletion and its release', async () => {
    await createPartner('ten', id(1));
    await deleteTenant('ten');
    await store.append(
      PartnerRegistryStreams.partner(id(1)),
      toNewEvents([{ type: 'partner.deleted.v1', data: { partnerId: id(1), as2Id: id(1), deletedAt: NOW } }], metadata),
      'stream_exists',
    );
    await closure.close('acc', 'ten', metadata);
    expect(await types(`partner-${id(1)}`)).toEqual(['partner.created.v1', 'partner.deleted.v1']);
    expect(await types('partner_directory-acc.ten')).toEqual(['partner_directory.as2_id_reserved.v1', 'partner_directory.as2_id_released.v1']);
  });

  it('makes a create that raced the closure delete its own partner and answer TENANT_DELETED', async () => {
    await deleteTenant('ten');
    await closure.close('acc', 'ten', metadata);
    // The create passed its checks before the deletion, and stored its partner after the closure looked.
    await createPartner('ten', id(4));
    await expect(closure.refuseIfDeletedMeanwhile('acc', 'ten', id(4), metadata)).rejects.toMatchObject({ code: 'TENANT_DELETED' });
    expect(await types(`partner-${id(4)}`)).toEqual(['partner.created.v1', 'partner.deleted.v1']);

    await createPartner('live', id(5));
    await expect(closure.refuseIfDeletedMeanwhile('acc', 'live', id(5), metadata)).resolves.toBeUndefined();
    expect(await types(`partner-${id(5)}`)).toEqual(['partner.created.v1']);
  });

  it("reads the account's master partners 128 a turn of the event loop at most, overridden or not (1,000 never overridden were read in one turn), and resets the overridden ones", async () => {
    const masters = Array.from({ length: 300 }, (_, n) => `prt_01J0000000000000000000M${String(n).padStart(3, '0')}`);
    for (const master of masters) await directory.reserve(masterDirectoryScope(writeModel, 'acc'), { as2Id: master, partnerId: master, planLimit: null, now: new Date(NOW) }, metadata);
    for (const master of [masters[3], masters[270]] as string[]) {
      await store.append(
        PartnerRegistryStreams.override('acc', 'ten', master),
        toNewEvents([{ type: 'partner.override_set.v1', data: { account: 'acc', tenant: 'ten', masterPartnerId: master, changes: { compress: true }, overrides: { compress: true }, setAt: NOW } }], metadata),
        'no_stream',
      );
    }
    await deleteTenant('ten');
    const reads = new TurnsOfLoop();
    const readStream = store.readStream.bind(store);
    jest.spyOn(store, 'readStream').mockImplementation(async (stream, options) => {
      if (stream.startsWith('partner_override-')) reads.record();
      return readStream(stream, options);
    });
    try {
      await closure.close('acc', 'ten', metadata);
    } finally {
      reads.stop();
    }

    expect(reads.total).toBeGreaterThanOrEqual(masters.length);
    expect(reads.mostInOneTurn).toBeLessThanOrEqual(128);
    for (const master of [masters[3], masters[270]] as string[]) expect(await types(`partner_override-acc.ten.${master}`)).toEqual(['partner.override_set.v1', 'partner.overrides_reset.v1']);
    expect(await types(`partner_override-acc.ten.${masters[4]}`)).toEqual([]);
  });
});
