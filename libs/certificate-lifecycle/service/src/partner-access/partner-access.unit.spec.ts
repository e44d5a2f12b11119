import type { Filter, FindQuery, ReadModelCollection, ReadModelDocument, ReadModelStore } from '@as2-partners/kernel';
import type { RequestContext } from '@as2-partners/platform';
import { certificateLifecycleConfigFrom, type CertificateLifecycleConfig } from '../config/certificate-lifecycle.config';
import { KnownPartnerCollections, type KnownPartnerDocument } from '../reactions/partner-registry-events/known-partner.document';
import { PartnerAccess } from './partner-access';

/** Just enough of a read-model store for PartnerAccess: get, put and `_id $in` finds, counting reads. */
class CountingReadModels implements ReadModelStore {
  readonly reads = new Map<string, number>();
  private readonly docs = new Map<string, Map<string, ReadModelDocument>>();

  collection<T extends ReadModelDocument>(name: string): ReadModelCollection<T> {
    const docs = this.docs.get(name) ?? new Map<string, ReadModelDocument>();
    this.docs.set(name, docs);
    const reads = this.reads;
    return {
      get: async (id: string) => {
        reads.set(id, (reads.get(id) ?? 0) + 1);
        return (docs.get(id) as T | undefined) ?? null;
      },
      put: async (doc: T) => void docs.set(doc._id, doc),
      find: async (query: FindQuery) => {
        const ids = ((query.filter as Filter)['_id'] as { $in: string[] }).$in;
        const items = ids.flatMap((id) => (docs.has(id) ? [docs.get(id) as T] : []));
        return { items, total: items.length };
      },
    } as unknown as ReadModelCollection<T>;
  }

  async close(): Promise<void> {
    return;
  }
}

const id = (n: number) => `prt_01ARZ3NDEKTSV4RRFFQ69G5F${String(n).padStart(2, '0')}`;
const OWN = id(1);
const OTHER_TENANT = id(2);
const OTHER_ACCOUNT = id(3);
const MASTER = id(4);
const UNKNOWN = id(5);
const partner = (_id: string, account: string, tenant: string | null): KnownPartnerDocument => ({
  _id,
  account,
  tenant,
  kind: tenant === null ? 'master' : 'tenant',
  as2Id: _id,
  name: _id,
  signAlgorithm: null,
  deleted: false,
});
const ctx = (tenant: string | null): RequestContext => ({
  caller: { sub: 'u', account: 'acc', tenant, roles: tenant === null ? ['account_admin'] : ['tenant_admin'] },
  correlationId: 'c',
  requestId: 'r',
});

async function accessWith(waitMs: number) {
  const readModels = new CountingReadModels();
  const partners = readModels.collection<KnownPartnerDocument>(KnownPartnerCollections.partners);
  for (const doc of [partner(OWN, 'acc', 'ten-a'), partner(OTHER_TENANT, 'acc', 'ten-b'), partner(OTHER_ACCOUNT, 'acc-2', 'ten-a'), partner(MASTER, 'acc', null)]) {
    await partners.put(doc);
  }
  const config = { ...certificateLifecycleConfigFrom({ TSA_DIR: '/tmp/tsa' }, '/tmp', 'distributed'), unknownPartnerWaitMs: waitMs } as CertificateLifecycleConfig;
  return { access: new PartnerAccess(readModels, config), readModels };
}

async function timed(probe: () => Promise<unknown>) {
  const started = performance.now();
  const outcome = await probe().then(
    (value) => ({ value, error: null }),
    (error: unknown) => ({ value: null, error: error as { code?: string; message?: string } }),
  );
  return { ...outcome, ms: performance.now() - started };
}

describe('PartnerAccess: an unknown partner id and one the caller may not see are answered alike', () => {
  const WAIT_MS = 150;

  it.each([
    ['another tenant of the account', OTHER_TENANT],
    ['another account', OTHER_ACCOUNT],
    ['nobody (never heard of)', UNKNOWN],
  ])("a partner of %s waits the whole setting, polling, then answers PARTNER_NOT_FOUND", async (_who, partnerId) => {
    const { access, readModels } = await accessWith(WAIT_MS);
    const result = await timed(() => access.resolve(ctx('ten-a'), partnerId, 'read'));
    expect(result.error).toMatchObject({ code: 'PARTNER_NOT_FOUND', message: `Partner ${partnerId} not found` });
    expect(result.ms).toBeGreaterThanOrEqual(WAIT_MS - 1);
    expect(readModels.reads.get(partnerId)).toBeGreaterThan(1);
  });

  it("the caller's own partner and the account's master partners are answered at the first read", async () => {
    const { access, readModels } = await accessWith(WAIT_MS);
    await expect(access.resolve(ctx('ten-a'), OWN, 'write')).resolves.toMatchObject({ _id: OWN });
    await expect(access.resolve(ctx('ten-a'), MASTER, 'read')).resolves.toMatchObject({ _id: MASTER });
    expect([readModels.reads.get(OWN), readModels.reads.get(MASTER)]).toEqual([1, 1]);
  });

  it("an account-level caller reaches its account's masters only: a tenant's partner takes the unknown id's path (same wait, same 404)", async () => {
    const { access, readModels } = await accessWith(WAIT_MS);
    await expect(access.resolve(ctx(null), MASTER, 'read')).resolves.toMatchObject({ _id: MASTER });
    for (const partnerId of [OTHER_TENANT, OTHER_ACCOUNT]) {
      const result = await timed(() => access.resolve(ctx(null), partnerId, 'read'));
      expect(result.error).toMatchObject({ code: 'PARTNER_NOT_FOUND', message: `Partner ${partnerId} not found` });
      expect(result.ms).toBeGreaterThanOrEqual(WAIT_MS - 1);
      expect(readModels.reads.get(partnerId)).toBeGreaterThan(1);
    }
  });

  it('embedded mode never waits: the registry delivers its events before its commands return', () => {
    expect(certificateLifecycleConfigFrom({ UNKNOWN_PARTNER_WAIT_MS: '3000' }, '/tmp', 'embedded').unknownPartnerWaitMs).toBe(0);
    expect(certificateLifecycleConfigFrom({ UNKNOWN_PARTNER_WAIT_MS: '3000', TSA_DIR: '/tmp/tsa' }, '/tmp', 'distributed').unknownPartnerWaitMs).toBe(3000);
  });

  it("shows a tenant only its own and the master partners' ids; an account-level caller all of its account's", async () => {
    const { access } = await accessWith(0);
    const ids = [OWN, OTHER_TENANT, OTHER_ACCOUNT, MASTER, UNKNOWN];
    expect(ids.filter(await access.visibility(ctx('ten-a'), ids))).toEqual([OWN, MASTER]);
    expect(ids.filter(await access.visibility(ctx(null), ids))).toEqual([OWN, OTHER_TENANT, MASTER]);
  });
});
