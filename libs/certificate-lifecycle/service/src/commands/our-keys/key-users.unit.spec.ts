import type { BusFollowedProjectionDependencies, Clock, EventStore, FindQuery } from '@as2-partners/kernel';
import { InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import type { OurKeystore } from '../../keystore/our-keystore';
import type { KeyQueries } from '../../queries/key-views/key-queries';
import type { KeyViewDocument } from '../../queries/key-views/key-view.document';
import { KEY_USERS_NAMED } from '../../queries/key-views/key.presenter';
import { KnownInstancesConsumer } from '../../reactions/as2-instances/known-instances.consumer';
import type { KnownInstanceDocument } from '../../reactions/as2-instances/known-instance.document';
import type { TenantKeysShredder } from '../../reactions/tenant-deletion/tenant-keys.shredder';
import { KeyAccess } from './key-access';

/**
 * A key's `used_by` reads the users its viewer sees, the first of them and their count, never every tenant's
 * instances of the alias (a key read from a tenant with none cost 18.8 ms at 1,000 tenants' instances of it before).
 */
const account = 'acme';
const alias = 'shared';
const at = '2026-01-01T00:00:00.000Z';

// the account's own instances of the alias, t1's (more than a key names), those of a tenant holding its own key of the
// alias, one in each of 1,000 other tenants, a deleted one of t1's, another alias's and another account's; ids interleaved
const levels = [...Array.from({ length: 3 }, () => null), ...Array.from({ length: 250 }, () => 't1'), ...Array.from({ length: 5 }, () => 'own'), ...Array.from({ length: 1000 }, (_, i) => `t${1000 + i}`)];
const seed: KnownInstanceDocument[] = [
  ...levels.map((tenant, i) => ({ _id: `as2_${String((i * 7919) % 10007).padStart(5, '0')}`, account, tenant, myAs2Id: `ME-${i}`, myAs2Alias: alias, status: 'on', deleted: false })),
  { _id: 'as2_t1_deleted', account, tenant: 't1', myAs2Id: 'GONE', myAs2Alias: alias, status: 'off', deleted: true },
  { _id: 'as2_t1_other_alias', account, tenant: 't1', myAs2Id: 'OTHER', myAs2Alias: 'other', status: 'on', deleted: false },
  { _id: 'as2_other_account', account: 'other', tenant: 't1', myAs2Id: 'ELSEWHERE', myAs2Alias: alias, status: 'on', deleted: false },
];

const keyOf = (tenant: string | null) =>
  ({ _id: `key_${tenant}`, account, tenant, alias, role: 'current', activateAt: null, overlapUntil: null, activatedAt: at, certificate: { notBefore: at, notAfter: '2030-01-01T00:00:00.000Z', chain: [] }, createdAt: at }) as unknown as KeyViewDocument;

/** The live instances of the alias at these levels, as `used_by` names them (by id) and counts them. */
function expected(levelsSeen: (string | null)[]): { ids: string[]; total: number } {
  const all = seed.filter((doc) => doc.account === account && doc.myAs2Alias === alias && !doc.deleted && levelsSeen.includes(doc.tenant)).sort((a, b) => a._id.localeCompare(b._id));
  return { ids: all.slice(0, KEY_USERS_NAMED).map((doc) => doc._id), total: all.length };
}

describe("a key's users, as its viewer sees them", () => {
  let access: KeyAccess;
  let queries: FindQuery[];
  let keystoresRead: (string | null)[];

  beforeEach(async () => {
    const instances = new KnownInstancesConsumer({ readModels: new InMemoryReadModelStore() } as unknown as BusFollowedProjectionDependencies, {} as TenantKeysShredder);
    await instances.instances.putMany(seed);
    queries = [];
    const find = instances.instances.find.bind(instances.instances);
    jest.spyOn(instances.instances, 'find').mockImplementation((query) => (queries.push(query), find(query)));
    keystoresRead = [];
    const keystore = {
      state: async (scope: { tenant: string | null }) => (keystoresRead.push(scope.tenant), { keys: scope.tenant === 'own' ? [{ keyId: 'key_own' }] : [] }),
    } as unknown as OurKeystore;
    const clock = { now: () => new Date(at) } as Clock;
    access = new KeyAccess(keystore, instances, {} as KeyQueries, clock, {} as EventStore);
  });

  /** Every query asked for at most a key's named users, of the viewer's levels only. */
  function expectOnlyLevels(seen: (string | null)[]) {
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) {
      expect(query.limit).toBeLessThanOrEqual(KEY_USERS_NAMED);
      const filter = query.filter as { tenant?: string | null; $or?: { tenant: string | null }[] };
      const levelsAsked = '$or' in filter ? (filter.$or ?? []).map((branch) => branch.tenant) : [filter.tenant];
      expect(levelsAsked.every((tenant) => tenant !== undefined && seen.includes(tenant))).toBe(true);
    }
  }

  it("an account key read by a tenant: the account's instances and the tenant's own, the first 100 and their count", async () => {
    const shown = await access.present(keyOf(null), { account, tenant: 't1' });
    const want = expected([null, 't1']);
    expect([shown.used_by.map((user) => user.instance_id), shown.used_by_total]).toEqual([want.ids, want.total]);
    expectOnlyLevels([null, 't1']);
    expect(keystoresRead).toEqual(['t1']);
  });

  it('an account key read by a tenant without instances of its own: the account-level instances only', async () => {
    const shown = await access.present(keyOf(null), { account, tenant: 't-none' });
    expect([shown.used_by.map((user) => user.instance_id), shown.used_by_total]).toEqual([expected([null]).ids, 3]);
    expectOnlyLevels([null, 't-none']);
  });

  it('an account key read by a tenant holding its own key of the alias: its instances are not the account key\'s', async () => {
    const shown = await access.present(keyOf(null), { account, tenant: 'own' });
    expect([shown.used_by.map((user) => user.instance_id), shown.used_by_total]).toEqual([expected([null]).ids, 3]);
    expectOnlyLevels([null]);
  });

  it("a tenant's own key: its instances only", async () => {
    const shown = await access.present(keyOf('own'), { account, tenant: 'own' });
    expect([shown.used_by.map((user) => user.instance_id), shown.used_by_total]).toEqual([expected(['own']).ids, 5]);
    expectOnlyLevels(['own']);
    const users = await access.usedBy({ account, tenant: 't1', alias });
    expect([users.named.map((user) => user.instanceId), users.total]).toEqual([expected(['t1']).ids, 250]);
  });

  it("an account key as its admin reads it: every tenant's instances but those of a tenant holding its own key", async () => {
    const shown = await access.present(keyOf(null), { account, tenant: null });
    const want = expected(levels.filter((tenant) => tenant !== 'own'));
    expect([shown.used_by.map((user) => user.instance_id), shown.used_by_total]).toEqual([want.ids, want.total]);
    const users = await access.usedBy({ account, tenant: null, alias });
    expect([users.named.map((user) => user.instanceId), users.total]).toEqual([want.ids, want.total]);
  });
});
