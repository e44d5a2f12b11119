import type { NewEvent } from '@as2-partners/kernel';
import { InMemoryCheckpointStore, InMemoryEventStore, InMemoryParkedEventStore, InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import { partnerDeciderFor, partnerOverrideDecider } from '@as2-partners/partner-registry-domain';
import { PartnerRegistryCollections, viewIdOf, type PartnerViewDocument } from './partner-view.document';
import { PartnerViewsProjection } from './partner-views.projection';

const ACCOUNT = 'acct_overrides';
const TENANT = 'ten_o';
const MASTER = 'prt_master_o';

const stored = (id: string, event: { type: string; data: unknown }, at: string): NewEvent => ({
  id,
  type: event.type,
  schemaVersion: 1,
  data: event.data,
  metadata: { account: ACCOUNT, tenant: TENANT, correlationId: `c-${id}`, causationId: null, actor: { type: 'user', id: 'u' }, occurredAt: at },
});

describe('PartnerViewsProjection: a tenant\'s view of a master partner after its overrides are reset', () => {
  it('keeps the reset as its last update (updated_at never goes back to the master\'s) and shows the master\'s settings again', async () => {
    const store = new InMemoryEventStore();
    const readModels = new InMemoryReadModelStore();
    const projection = new PartnerViewsProjection({ store, checkpoints: new InMemoryCheckpointStore(), parked: new InMemoryParkedEventStore() }, readModels);
    await projection.start();
    try {
      const master = partnerDeciderFor('account');
      const [createdMaster] = master.decide(
        { type: 'create_partner', partnerId: MASTER, account: ACCOUNT, tenant: null, as2Id: 'MASTER-O', settings: { name: 'Master', url: 'https://master.example.com/as2' }, certificateId: null, now: '2026-12-05T10:00:00.000Z' },
        master.initialState(),
      );
      await store.append(`master_partner-${MASTER}`, [stored('m1', createdMaster as { type: string; data: unknown }, '2026-12-05T10:00:00.000Z')], 'no_stream');
      const target = { account: ACCOUNT, tenant: TENANT, masterPartnerId: MASTER };
      const [set] = partnerOverrideDecider.decide({ ...target, type: 'set_overrides', changes: { name: 'Tenant name' }, now: '2026-12-05T11:00:00.000Z' }, partnerOverrideDecider.initialState());
      const overridden = partnerOverrideDecider.evolve(partnerOverrideDecider.initialState(), set as never);
      const [reset] = partnerOverrideDecider.decide({ ...target, type: 'reset_overrides', now: '2026-12-05T12:00:00.000Z' }, overridden);
      const stream = `partner_override-${ACCOUNT}.${TENANT}.${MASTER}`;
      await store.append(stream, [stored('o1', set as { type: string; data: unknown }, '2026-12-05T11:00:00.000Z')], 'no_stream');
      await projection.waitFor((await store.lastPosition()) as number, 2000);
      const views = readModels.collection<PartnerViewDocument>(PartnerRegistryCollections.partnerViews);
      expect(await views.get(viewIdOf(ACCOUNT, TENANT, MASTER))).toMatchObject({ hasOverrides: true, updatedAt: '2026-12-05T11:00:00.000Z', settings: { name: 'Tenant name' } });

      await store.append(stream, [stored('o2', reset as { type: string; data: unknown }, '2026-12-05T12:00:00.000Z')], 0);
      await projection.waitFor((await store.lastPosition()) as number, 2000);
      expect(await views.get(viewIdOf(ACCOUNT, TENANT, MASTER))).toMatchObject({ hasOverrides: false, overrides: null, updatedAt: '2026-12-05T12:00:00.000Z', settings: { name: 'Master' } });

      // The master's own later change is the view's last update again.
      const [updated] = master.decide({ type: 'update_partner', partnerId: MASTER, changes: { name: 'Master renamed' }, now: '2026-12-05T13:00:00.000Z' }, master.evolve(master.initialState(), createdMaster as never));
      await store.append(`master_partner-${MASTER}`, [stored('m2', updated as { type: string; data: unknown }, '2026-12-05T13:00:00.000Z')], 0);
      await projection.waitFor((await store.lastPosition()) as number, 2000);
      expect(await views.get(viewIdOf(ACCOUNT, TENANT, MASTER))).toMatchObject({ hasOverrides: false, updatedAt: '2026-12-05T13:00:00.000Z', settings: { name: 'Master renamed' } });
    } finally {
      await projection.stop();
    }
  });

  it("applies the resets of a closure's store read over several turns of the event loop, ~20 ms of them a turn (16 at once held it up to 60 ms)", async () => {
    const store = new InMemoryEventStore();
    const readModels = new InMemoryReadModelStore();
    const views = readModels.collection<PartnerViewDocument>(PartnerRegistryCollections.partnerViews);
    const collection = readModels.collection.bind(readModels);
    jest.spyOn(readModels, 'collection').mockImplementation(((name: string) => (name === PartnerRegistryCollections.partnerViews ? views : collection(name))) as typeof readModels.collection);
    const projection = new PartnerViewsProjection({ store, checkpoints: new InMemoryCheckpointStore(), parked: new InMemoryParkedEventStore() }, readModels);
    const masters = Array.from({ length: 12 }, (_, n) => `prt_master_${n}`);
    const master = partnerDeciderFor('account');
    const now = '2026-12-05T10:00:00.000Z';
    let turn = 0;
    let counting = true;
    const next = () => {
      turn += 1;
      if (counting) setImmediate(next);
    };
    await projection.start();
    try {
      for (const id of masters) {
        const [created] = master.decide({ type: 'create_partner', partnerId: id, account: ACCOUNT, tenant: null, as2Id: `AS2-${id}`, settings: { name: 'Master', url: 'https://master.example.com/as2' }, certificateId: null, now }, master.initialState());
        await store.append(`master_partner-${id}`, [stored(`m-${id}`, created as { type: string; data: unknown }, now)], 'no_stream');
        const [set] = partnerOverrideDecider.decide({ account: ACCOUNT, tenant: TENANT, masterPartnerId: id, type: 'set_overrides', changes: { name: 'Tenant name' }, now }, partnerOverrideDecider.initialState());
        await store.append(`partner_override-${ACCOUNT}.${TENANT}.${id}`, [stored(`o-${id}`, set as { type: string; data: unknown }, now)], 'no_stream');
      }
      await projection.waitFor((await store.lastPosition()) as number, 2000);
      await projection.stop();
      // The resets in one read: appended while the projection is stopped.
      for (const id of masters) {
        const reset = { type: 'partner.overrides_reset.v1', data: { account: ACCOUNT, tenant: TENANT, masterPartnerId: id, resetAt: '2026-12-05T12:00:00.000Z' } };
        await store.append(`partner_override-${ACCOUNT}.${TENANT}.${id}`, [stored(`r-${id}`, reset, '2026-12-05T12:00:00.000Z')], 0);
      }
      const putIn: number[] = [];
      const put = views.put.bind(views);
      views.put = async (doc) => {
        // ~5 ms of work that never waits (an embedded store's reads and writes of a reset)
        const until = performance.now() + 5;
        while (performance.now() < until);
        putIn.push(turn);
        await put(doc);
      };
      next();
      await projection.start();
      await projection.waitFor((await store.lastPosition()) as number, 10_000);

      for (const id of masters) expect(await views.get(viewIdOf(ACCOUNT, TENANT, id))).toMatchObject({ hasOverrides: false, settings: { name: 'Master' } });
      expect(putIn).toHaveLength(12);
      // at most ~20 ms of them in one turn: the 60 ms read spans three turns at least
      const perTurn = [...new Set(putIn)].map((t) => putIn.filter((x) => x === t).length);
      expect(perTurn.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...perTurn)).toBeLessThanOrEqual(6);
    } finally {
      counting = false;
      await projection.stop();
    }
  });
});
