import type { NewEvent, ReadModelCollection, ReadModelDocument } from '@as2-partners/kernel';
import { InMemoryCheckpointStore, InMemoryEventStore, InMemoryParkedEventStore, InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import { partnerDeciderFor } from '@as2-partners/partner-registry-domain';
import { PartnerRegistryCollections, tenantDocIdOf, type TenantDocument } from './partner-view.document';
import { PartnerViewsProjection } from './partner-views.projection';

const ACCOUNT = 'acct_known';

/** The partner.created.v1 event the decider makes for a create in `tenant`, as the store would hold it. */
function created(tenant: string, n: number): NewEvent {
  const decider = partnerDeciderFor('tenant');
  const [event] = decider.decide(
    { type: 'create_partner', partnerId: `prt_${tenant}_${n}`, account: ACCOUNT, tenant, as2Id: `AS2-${tenant}-${n}`, settings: { name: `Partner ${n}`, url: `https://as2.example.com/${tenant}/${n}` }, certificateId: null, now: '2026-12-04T03:00:00.000Z' },
    decider.initialState(),
  );
  return { id: `${tenant}-${n}`, type: event.type, schemaVersion: 1, data: event.data, metadata: { account: ACCOUNT, tenant, correlationId: `c-${tenant}-${n}`, causationId: null, actor: { type: 'user', id: 'u' }, occurredAt: '2026-12-04T03:00:00.000Z' } };
}

/** The master_partner.created.v1 event the account's decider makes for master `n`. */
function masterCreated(n: number): NewEvent {
  const decider = partnerDeciderFor('account');
  const [event] = decider.decide(
    { type: 'create_partner', partnerId: `prt_master_${n}`, account: ACCOUNT, tenant: null, as2Id: `MASTER-${n}`, settings: { name: `Master ${n}`, url: `https://as2.example.com/m/${n}` }, certificateId: null, now: '2026-12-04T03:00:00.000Z' } as never,
    decider.initialState(),
  );
  return { id: `m-${n}`, type: event.type, schemaVersion: 1, data: event.data, metadata: { account: ACCOUNT, tenant: null, correlationId: `c-m-${n}`, causationId: null, actor: { type: 'user', id: 'u' }, occurredAt: '2026-12-04T03:00:00.000Z' } };
}

/** The master_partner.deleted.v1 event for master `n` (what the account's decider makes for its delete). */
function masterDeleted(n: number): NewEvent {
  return { id: `m-${n}-deleted`, type: 'master_partner.deleted.v1', schemaVersion: 1, data: { partnerId: `prt_master_${n}`, as2Id: `MASTER-${n}`, deletedAt: '2026-12-04T04:00:00.000Z' }, metadata: { account: ACCOUNT, tenant: null, correlationId: `c-m-${n}-deleted`, causationId: null, actor: { type: 'user', id: 'u' }, occurredAt: '2026-12-04T04:00:00.000Z' } };
}

/**
 * Records the calls of `method` on `collection` (`<label> <n documents or ids>`), and after each a `turn` written by
 * a callback set for the event loop's next turn: `turn` between two calls means the loop was free between them.
 */
function recordTurns(collection: ReadModelCollection<ReadModelDocument>, method: 'putMany' | 'deleteMany', label: string, writes: string[]): void {
  const original = (collection[method] as (...args: unknown[]) => Promise<unknown>).bind(collection);
  jest.spyOn(collection, method).mockImplementation((async (argument: unknown) => {
    const size = Array.isArray(argument) ? argument.length : (((argument as { _id?: { $in?: unknown[] } })._id?.$in ?? []).length);
    writes.push(`${label} ${size}`);
    setImmediate(() => writes.push('turn'));
    return original(argument);
  }) as never);
}

/** A read-model store whose tenant collection counts its reads by id. */
function countingStore(): { readModels: InMemoryReadModelStore; tenantReads: string[] } {
  const readModels = new InMemoryReadModelStore();
  const tenantReads: string[] = [];
  const collection = readModels.collection.bind(readModels);
  jest.spyOn(readModels, 'collection').mockImplementation(<T extends ReadModelDocument>(name: string, ...rest: unknown[]) => {
    const inner = (collection as (name: string, ...rest: unknown[]) => ReadModelCollection<T>)(name, ...rest);
    if (name !== PartnerRegistryCollections.tenants) return inner;
    return Object.assign(Object.create(inner) as ReadModelCollection<T>, {
      get: (id: string) => {
        tenantReads.push(id);
        return inner.get(id);
      },
    });
  });
  return { readModels, tenantReads };
}

async function projectionOver(store: InMemoryEventStore, readModels: InMemoryReadModelStore): Promise<PartnerViewsProjection> {
  const projection = new PartnerViewsProjection({ store, checkpoints: new InMemoryCheckpointStore(), parked: new InMemoryParkedEventStore() }, readModels);
  await projection.start();
  return projection;
}

describe('PartnerViewsProjection: a tenant known once is not read again for each create', () => {
  it('reads a tenant document once per tenant, however many partners it creates', async () => {
    const store = new InMemoryEventStore();
    const { readModels, tenantReads } = countingStore();
    const projection = await projectionOver(store, readModels);
    try {
      for (let n = 0; n < 5; n += 1) await store.append(`partner-a-${n}`, [created('ten_a', n)], 'no_stream');
      for (let n = 0; n < 3; n += 1) await store.append(`partner-b-${n}`, [created('ten_b', n)], 'no_stream');
      await projection.waitFor((await store.lastPosition()) as number, 2000);

      expect(tenantReads).toEqual([tenantDocIdOf(ACCOUNT, 'ten_a'), tenantDocIdOf(ACCOUNT, 'ten_b')]);
      const tenants = readModels.collection<TenantDocument>(PartnerRegistryCollections.tenants);
      expect((await tenants.find({ filter: {} })).items.map((tenant) => tenant._id).sort()).toEqual([tenantDocIdOf(ACCOUNT, 'ten_a'), tenantDocIdOf(ACCOUNT, 'ten_b')]);
    } finally {
      await projection.stop();
    }
  });

  it("a new tenant's inherited views are written a slice a turn (the event loop free between), its document after the last", async () => {
    const store = new InMemoryEventStore();
    const readModels = new InMemoryReadModelStore();
    const projection = await projectionOver(store, readModels);
    try {
      for (let n = 0; n < 450; n += 1) await store.append(`master-${n}`, [masterCreated(n)], 'no_stream');
      await projection.waitFor((await store.lastPosition()) as number, 5000);
      // the projection's own collections (the store may hand out another object a call)
      const { views, tenants } = projection as unknown as { views: ReadModelCollection<ReadModelDocument>; tenants: ReadModelCollection<TenantDocument> };
      const writes: string[] = [];
      const putMany = views.putMany.bind(views);
      jest.spyOn(views, 'putMany').mockImplementation(async (docs) => {
        writes.push(`views ${docs.length}`);
        await new Promise((resolve) => setImmediate(resolve));
        writes.push('turn');
        return putMany(docs);
      });
      const put = tenants.put.bind(tenants);
      jest.spyOn(tenants, 'put').mockImplementation(async (doc) => {
        writes.push(`tenant ${doc._id}`);
        return put(doc);
      });
      await store.append('partner-n-0', [created('ten_n', 0)], 'no_stream');
      await projection.waitFor((await store.lastPosition()) as number, 5000);
      const inherited = writes.filter((write) => write.startsWith('views ')).slice(0, 5);
      expect(inherited).toEqual(['views 100', 'views 100', 'views 100', 'views 100', 'views 50']);
      expect(writes.indexOf(`tenant ${tenantDocIdOf(ACCOUNT, 'ten_n')}`)).toBeGreaterThan(writes.indexOf('views 50'));
      expect((await views.find({ filter: { tenant: 'ten_n', type: 'inherited' } })).total).toBe(450);
    } finally {
      await projection.stop();
    }
  });

  it("a master's views in the account's tenants are written, and deleted, a slice a turn (the event loop free between); the master deleted after the last", async () => {
    const store = new InMemoryEventStore();
    const readModels = new InMemoryReadModelStore();
    const projection = await projectionOver(store, readModels);
    try {
      for (let n = 0; n < 450; n += 1) await store.append(`partner-t${n}-0`, [created(`ten_${n}`, 0)], 'no_stream');
      await projection.waitFor((await store.lastPosition()) as number, 5000);
      const { views, masters } = projection as unknown as { views: ReadModelCollection<ReadModelDocument>; masters: ReadModelCollection<ReadModelDocument> };
      const writes: string[] = [];
      recordTurns(views, 'putMany', 'views', writes);
      recordTurns(views, 'deleteMany', 'deleted', writes);
      const deleteMaster = masters.delete.bind(masters);
      jest.spyOn(masters, 'delete').mockImplementation(async (id) => {
        writes.push(`master deleted ${id}`);
        return deleteMaster(id);
      });

      await store.append('master-0', [masterCreated(0)], 'no_stream');
      await projection.waitFor((await store.lastPosition()) as number, 5000);
      expect(writes.slice(0, 9)).toEqual(['views 100', 'turn', 'views 100', 'turn', 'views 100', 'turn', 'views 100', 'turn', 'views 50']);
      expect((await views.find({ filter: { partnerId: 'prt_master_0' } })).total).toBe(450);

      await new Promise((resolve) => setImmediate(resolve));
      writes.length = 0;
      await store.append('master-0', [masterDeleted(0)], 0);
      await projection.waitFor((await store.lastPosition()) as number, 5000);
      expect(writes.slice(0, 10)).toEqual(['deleted 100', 'turn', 'deleted 100', 'turn', 'deleted 100', 'turn', 'deleted 100', 'turn', 'deleted 50', 'master deleted prt_master_0']);
      expect((await views.find({ filter: { partnerId: 'prt_master_0' } })).total).toBe(0);
      expect(await masters.get('prt_master_0')).toBeNull();
      expect((await views.find({ filter: { type: 'tenant' } })).total).toBe(450);
    } finally {
      await projection.stop();
    }
  });

  it('a registered tenant found by a later process is read once and left as it is', async () => {
    const store = new InMemoryEventStore();
    const { readModels, tenantReads } = countingStore();
    const tenants = readModels.collection<TenantDocument>(PartnerRegistryCollections.tenants);
    const registered = { _id: tenantDocIdOf(ACCOUNT, 'ten_r'), account: ACCOUNT, tenantId: 'ten_r', registered: true, name: 'Registered', plan: 'enterprise', createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z' } as TenantDocument;
    await tenants.put(registered);
    const projection = await projectionOver(store, readModels);
    try {
      for (let n = 0; n < 4; n += 1) await store.append(`partner-r-${n}`, [created('ten_r', n)], 'no_stream');
      await projection.waitFor((await store.lastPosition()) as number, 2000);

      expect(tenantReads).toEqual([tenantDocIdOf(ACCOUNT, 'ten_r')]);
      expect(await tenants.get(registered._id)).toEqual(registered);
    } finally {
      await projection.stop();
    }
  });
});
