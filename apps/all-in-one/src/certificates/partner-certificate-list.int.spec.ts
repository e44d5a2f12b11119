import type { FollowedProjectionDependencies, ReadModelStore, RecordedEvent } from '@as2-partners/kernel';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateQueries, CertificateViewsProjection, type CertificateViewDocument } from '@as2-partners/certificate-lifecycle-service';

const ACCOUNT = 'acc_1';
const TENANT = 'ten_1';

let position = 0;
const event = (stream: string, type: string, data: Record<string, unknown>): RecordedEvent =>
  ({ stream, type, data, revision: 1, position: ++position, metadata: { account: ACCOUNT, tenant: TENANT, occurredAt: '2025-01-01T00:00:00.000Z' } }) as unknown as RecordedEvent;

const uploaded = (n: number, partnerId: string): RecordedEvent => {
  const certificateId = `crt_${String(n).padStart(5, '0')}`;
  return event(`certificate-${certificateId}`, 'certificate.uploaded.v1', {
    certificateId,
    account: ACCOUNT,
    tenant: TENANT,
    name: certificateId,
    usage: 'encryption',
    type: 'x509',
    partnerId,
    certificate: { notAfter: `2030-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z` },
    createdAt: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString(),
  });
};

describe('CertificateQueries.list for one partner (embedded store)', () => {
  let dir: string;
  let store: EmbeddedReadModelStore;
  let projection: CertificateViewsProjection;
  let queries: CertificateQueries;
  const apply = (e: RecordedEvent): Promise<void> => (projection as unknown as { apply(e: RecordedEvent): Promise<void> }).apply(e);
  const list = (partnerId: string, page: number, perPage: number) => queries.list({ account: ACCOUNT, tenant: TENANT, partnerId, page, perPage });
  /** Documents the store parses while the work runs: the rows a query reads. */
  const parsedDuring = async <T>(work: () => Promise<T>): Promise<{ result: T; parsed: number }> => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const result = await work();
      return { result, parsed: parse.mock.calls.length };
    } finally {
      parse.mockRestore();
    }
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'certificate-queries-'));
    store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
    projection = new CertificateViewsProjection({} as FollowedProjectionDependencies, store as ReadModelStore);
    queries = new CertificateQueries(projection);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the page, not the partner\'s other certificates nor the tenant\'s (page 1, a far page, per_page=1)', async () => {
    for (let n = 0; n < 600; n += 1) await apply(uploaded(n, n % 2 === 0 ? 'prt_a' : 'prt_b'));

    const first = await parsedDuring(() => list('prt_a', 1, 1));
    expect(first.result.total).toBe(300);
    expect(first.result.items.map((c) => c._id)).toEqual(['crt_00000']);
    expect(first.parsed).toBeLessThan(10);

    const far = await parsedDuring(() => list('prt_a', 30, 10));
    expect(far.result.items.map((c) => c._id)).toEqual(Array.from({ length: 10 }, (_, i) => `crt_${String(580 + 2 * i).padStart(5, '0')}`));
    expect(far.parsed).toBeLessThan(30);

    const beyond = await parsedDuring(() => list('prt_a', 9999, 20));
    expect(beyond.result).toEqual({ items: [], total: 300 });
    expect(beyond.parsed).toBeLessThan(10);
  });

  it('follows a certificate leaving the list (deleted) and its partner filter combined with others', async () => {
    for (let n = 0; n < 5; n += 1) await apply(uploaded(n, 'prt_a'));
    await apply(event('certificate-crt_00001', 'certificate.deleted.v1', { certificateId: 'crt_00001' }));
    await apply(event('certificate-crt_00002', 'certificate.deactivated.v1', { certificateId: 'crt_00002' }));

    expect((await list('prt_a', 1, 10)).items.map((c) => c._id)).toEqual(['crt_00000', 'crt_00002', 'crt_00003', 'crt_00004']);
    const active = await queries.list({ account: ACCOUNT, tenant: TENANT, partnerId: 'prt_a', active: true, page: 1, perPage: 10 });
    expect(active.items.map((c) => c._id)).toEqual(['crt_00000', 'crt_00003', 'crt_00004']);
    expect(active.total).toBe(3);
    expect((await queries.list({ account: ACCOUNT, tenant: 'ten_other', partnerId: 'prt_a', page: 1, perPage: 10 })).total).toBe(0);
  });

  it('fills a partner\'s list on start from certificates written before the list was kept', async () => {
    const certificates = store.collection<CertificateViewDocument>('certificate_lifecycle_certificates');
    for (let n = 0; n < 3; n += 1) {
      await certificates.put({
        _id: `crt_${n}`,
        account: ACCOUNT,
        tenant: TENANT,
        name: `crt_${n}`,
        usage: 'encryption',
        type: 'x509',
        certificate: { notAfter: '2030-01-01T00:00:00.000Z' },
        expiresAt: '2030-01-01T00:00:00.000Z',
        active: true,
        partnerIds: ['prt_a'],
        usedBy: [],
        expiryNotice: null,
        createdAt: `2025-01-01T00:00:0${n}.000Z`,
      } as unknown as CertificateViewDocument);
    }
    await projection.partnerCertificates.fill(projection.certificates);
    await projection.uses.fill(projection.certificates, async (ids) => new Map(ids.map((id) => [id, TENANT] as const)));

    expect((await list('prt_a', 1, 10)).items.map((c) => c._id)).toEqual(['crt_0', 'crt_1', 'crt_2']);
    // the partners moved to the certificates' use entries, the views written without them
    expect(await projection.uses.seenBy('crt_1', TENANT)).toEqual({ partnerIds: ['prt_a'], usedBy: [] });
    expect(await projection.certificates.get('crt_1')).not.toHaveProperty('partnerIds');
  });
});
