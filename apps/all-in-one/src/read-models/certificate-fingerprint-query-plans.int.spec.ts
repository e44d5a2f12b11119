import { describeWithServer } from '@as2-partners/kernel-testing';
import type { FindQuery, FollowedProjectionDependencies, ReadModelCollection, ReadModelStore } from '@as2-partners/kernel';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { MongoReadModelStore } from '@as2-partners/read-model-mongo';
import { CERTIFICATE_FINGERPRINT_INDEX, certificatesWithFingerprintQuery, CertificateViewsProjection, type CertificateViewDocument } from '@as2-partners/certificate-lifecycle-service';
import { scratchMongoDatabase } from './scratch-mongo-database.spec-support';

/**
 * An upload's duplicate check (the certificates with its fingerprint its tenant may see) goes through the declared
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
    usage: 'encryption',
    type: 'partner',
    certificate: { fingerprintSha256 } as CertificateViewDocument['certificate'],
    expiresAt: '2027-01-01T00:00:00.000Z',
    active: true,
    partnerIds: [],
    usedBy: [],
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

describe('certificates of a fingerprint: embedded store', () => {
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
});

describeWithServer('MONGO_URL', 'certificates of a fingerprint: MongoDB wire', (url) => {
  const scratch = scratchMongoDatabase(url, 'certificate_fingerprint_plans');
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
});
