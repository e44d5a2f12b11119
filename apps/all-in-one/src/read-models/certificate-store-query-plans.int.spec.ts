import { describeWithServer } from '@as2-partners/kernel-testing';
import type { FindQuery, FollowedProjectionDependencies, ReadModelCollection, ReadModelStore } from '@as2-partners/kernel';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { MongoReadModelStore } from '@as2-partners/read-model-mongo';
import {
  CERTIFICATE_FINGERPRINT_INDEX,
  certificateListQuery,
  certificatesWithFingerprintQuery,
  CertificateViewsProjection,
  type CertificateListCriteria,
  type CertificateViewDocument,
} from '@as2-partners/certificate-lifecycle-service';
import { scratchMongoDatabase } from './scratch-mongo-database.spec-support';

/**
 * The certificate store's lists filtered by usage, state or expiry, and an upload's duplicate check (the certificates with its fingerprint its tenant may see) goes through the declared
 * fingerprint index on both stores: each level (the tenant's, the account's) one index range in creation order, never
 * the tenant's other certificates (it walked them all in creation order: an upload's cost grew with the tenant's store).
 */
const account = 'acme';
const SHARED = 'f'.repeat(64);

// t1's certificates, the account's, another tenant's and another account's; every seventh shares one fingerprint
const seed: CertificateViewDocument[] = Array.from({ length: 420 }, (_, i) => {
  const fingerprintSha256 = i % 7 === 3 ? SHARED : i.toString(16).padStart(64, '0');
  return {
    _id: `crt_${String(i).padStart(5, '0')}`,
    account: i % 30 === 29 ? 'other' : account,
    tenant: i % 4 === 0 ? null : i % 4 === 1 ? 't2' : 't1',
    name: `c${i}`,
    usage: i % 5 === 0 ? 'tls' : i % 5 === 1 ? 'signing' : 'encryption',
    type: 'partner',
    certificate: { fingerprintSha256 } as CertificateViewDocument['certificate'],
    expiresAt: new Date(Date.UTC(2027, 0, 1) + ((i * 37) % 420) * 86_400_000).toISOString(),
    active: i % 9 !== 4,
    expiryNotice: null,
    // creation order against id order: the sort is the index's, not the ids'
    createdAt: new Date(Date.UTC(2026, 0, 1) + (420 - i) * 60_000).toISOString(),
  };
});

const cases: { label: string; tenant: string | null; fingerprint: string }[] = [
  { label: "a tenant's upload, a fingerprint stored in it and on the account", tenant: 't1', fingerprint: SHARED },
  { label: "a tenant's upload, a new fingerprint", tenant: 't1', fingerprint: 'a'.repeat(64) },
  { label: "the account's upload (a master partner's)", tenant: null, fingerprint: SHARED },
];
const LIMIT = 6;

function expected(tenant: string | null, fingerprint: string): { ids: string[]; total: number } {
  const all = seed
    .filter((doc) => doc.account === account && (doc.tenant === null || doc.tenant === tenant) && doc.certificate.fingerprintSha256 === fingerprint)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a._id.localeCompare(b._id));
  return { ids: all.slice(0, LIMIT).map((doc) => doc._id), total: all.length };
}

function certificatesOf(store: ReadModelStore): ReadModelCollection<CertificateViewDocument> {
  return new CertificateViewsProjection({} as FollowedProjectionDependencies, store).certificates;
}

/** Lists a filter narrows to few of a level's certificates: each must be an index range, not the level's every one. */
const lists: { label: string; criteria: Omit<CertificateListCriteria, 'account' | 'page' | 'perPage'>; page: number; sorted: boolean }[] = [
  { label: "a tenant's tls certificates", criteria: { tenant: 't1', usage: 'tls' }, page: 1, sorted: true },
  { label: "a tenant's tls certificates, page 2", criteria: { tenant: 't1', usage: 'tls' }, page: 2, sorted: true },
  { label: "a tenant's inactive certificates", criteria: { tenant: 't1', active: false }, page: 1, sorted: true },
  { label: "the account's signing certificates", criteria: { tenant: null, usage: 'signing' }, page: 1, sorted: true },
  // a bound on expiry: the bound's range a level, its matches then sorted by creation (as few as expire before it)
  { label: "a tenant's certificates expiring within a month", criteria: { tenant: 't1', expiringBefore: '2027-02-01T00:00:00.000Z' }, page: 1, sorted: false },
];

function expectedList(criteria: (typeof lists)[number]['criteria'], page: number): { ids: string[]; total: number } {
  const all = seed
    .filter((doc) => doc.account === account && (doc.tenant === null || doc.tenant === criteria.tenant))
    .filter((doc) => (criteria.usage === undefined || doc.usage === criteria.usage) && (criteria.active === undefined || doc.active === criteria.active))
    .filter((doc) => criteria.expiringBefore === undefined || doc.expiresAt < criteria.expiringBefore)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a._id.localeCompare(b._id));
  return { ids: all.slice((page - 1) * 10, page * 10).map((doc) => doc._id), total: all.length };
}

describe('certificate store queries: embedded store', () => {
  let store: EmbeddedReadModelStore;
  let certificates: ReadModelCollection<CertificateViewDocument> & { explain(query: FindQuery): string[] };

  beforeAll(async () => {
    store = await EmbeddedReadModelStore.open(':memory:');
    certificates = certificatesOf(store) as typeof certificates;
    await certificates.putMany(seed);
  });
  afterAll(() => store?.close());

  it.each(cases)('$label', async ({ tenant, fingerprint }) => {
    const query = certificatesWithFingerprintQuery(account, tenant, fingerprint, LIMIT);
    const plan = certificates.explain(query);
    // one index range per level, narrowed by account, level and fingerprint, in creation order
    expect(plan).toHaveLength(tenant === null ? 1 : 2);
    for (const step of plan) expect(step).toMatch(/^SEARCH read_model_docs USING INDEX read_model_index_\w+ \(<expr>=\? AND <expr>=\? AND <expr>=\?\)$/);
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
    const found = await certificates.find(query);
    const want = expected(tenant, fingerprint);
    expect(found.items.map((doc) => doc._id)).toEqual(want.ids);
    expect(found.total).toBe(want.total);
  });

  it.each(lists)('a list: $label', async ({ criteria, page, sorted }) => {
    const query = certificateListQuery({ account, ...criteria, page, perPage: 10 });
    const plan = certificates.explain(query);
    const searches = plan.filter((step) => !/TEMP B-TREE/.test(step));
    expect(searches).toHaveLength(criteria.tenant === null ? 1 : 2);
    // narrowed by account, level and the filter's field (equalities, or the expiry bound's range)
    for (const step of searches) expect(step).toMatch(/^SEARCH read_model_docs USING INDEX read_model_index_\w+ \(<expr>=\? AND <expr>=\? AND <expr>(=\?|>\? AND <expr><\?)\)$/);
    if (sorted) expect(searches).toEqual(plan);
    const found = await certificates.find(query);
    const want = expectedList(criteria, page);
    expect(found.items.map((doc) => doc._id)).toEqual(want.ids);
    expect(found.total).toBe(want.total);
  });
});

describeWithServer('MONGO_URL', 'certificate store queries: MongoDB wire', (url) => {
  const scratch = scratchMongoDatabase(url, 'certificate_store_plans');
  let store: MongoReadModelStore;
  let certificates: ReadModelCollection<CertificateViewDocument>;

  beforeAll(async () => {
    store = await MongoReadModelStore.connect(url, { dbName: scratch.dbName });
    certificates = certificatesOf(store);
    await certificates.putMany(seed);
  });

  afterAll(async () => {
    await store?.close();
    await scratch.drop();
  });

  it.each(cases)('$label', async ({ tenant, fingerprint }) => {
    expect(await scratch.indexKeys('certificate_lifecycle_certificates')).toContainEqual(Object.fromEntries(CERTIFICATE_FINGERPRINT_INDEX.map((field) => [field, 1])));
    const found = await certificates.find(certificatesWithFingerprintQuery(account, tenant, fingerprint, LIMIT));
    const want = expected(tenant, fingerprint);
    expect(found.items.map((doc) => doc._id)).toEqual(want.ids);
    expect(found.total).toBe(want.total);
  });

  it.each(lists)('a list: $label', async ({ criteria, page }) => {
    const found = await certificates.find(certificateListQuery({ account, ...criteria, page, perPage: 10 }));
    const want = expectedList(criteria, page);
    expect(found.items.map((doc) => doc._id)).toEqual(want.ids);
    expect(found.total).toBe(want.total);
  });
});
