import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { eventually } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, type CertificateApi } from './certificate-api.spec-support';

const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, { timeoutMs: 30_000, intervalMs: 20 });
const OTHER_TENANTS = 300;

/**
 * An account certificate linked from many tenants' partners: a tenant reads its own partners' uses and the master
 * partners', so what its reads parse stays the same whatever other tenants link to it (each read parsed every
 * tenant's uses and looked every tenant's partners up before); the account admin still reads every tenant's.
 */
describe("an account certificate's uses, read by a tenant and by the account admin", () => {
  let t: EmbeddedTestApp;
  const account = `acct-uses-${process.pid}`;
  let as2 = 0;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
  });
  afterAll(() => t?.close());

  const linkedPartner = async (api: CertificateApi, certificateId: string) => {
    as2 += 1;
    const created = await api.post('/v1/partners', { name: `Linked ${as2}`, as2_id: `USES-${process.pid}-${as2}`, url: `https://uses${as2}.example.com/as2`, certificate_id: certificateId });
    if (created.status !== 201) throw new Error(`partner create failed: ${created.status} ${JSON.stringify(created.body)}`);
    const id = created.body.data.id as string;
    await until('the certificate link', async () => ((await api.get(`/v1/partners/${id}`)).body.data.certificate_link?.status === 'linked' ? true : undefined));
    return id;
  };

  /** The answers of reads, and the characters JSON.parse was given while they ran (each document a read parses, and the answers). */
  const measured = async (api: CertificateApi, urls: readonly string[]) => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const answers = [];
      for (const url of urls) answers.push(await api.get(url));
      const parsed = parse.mock.calls.reduce((sum, [text]) => sum + String(text).length, 0);
      return { answers, parsed };
    } finally {
      parse.mockRestore();
    }
  };

  it("a tenant's reads parse as much with 300 other tenants' links as with none, and answer the same; the account admin's list every tenant's uses in link order", async () => {
    const admin = certificateApiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const master = await admin.post(`/v1/accounts/${account}/partners`, { name: 'Hub', as2_id: `USES-HUB-${process.pid}`, url: 'https://hub.example.com/as2' });
    expect(master.status).toBe(201);
    const masterId = master.body.data.id as string;
    const uploaded = await admin.upload(`/v1/accounts/${account}/partners/${masterId}/certificates`, { name: 'Hub both', usage: 'both' }, issueTestCertificate().pem);
    expect(uploaded.status).toBe(201);
    const certificateId = uploaded.body.data.id as string;

    const small = certificateApiAs(t, { account, tenant: 'small', roles: ['tenant_admin'] });
    const own = await linkedPartner(small, certificateId);
    const reads = ['/v1/certificates', `/v1/certificates/${certificateId}`, `/v1/certificates/${certificateId}/usage`, `/v1/partners/${masterId}/certificates`];
    await measured(small, reads);
    const alone = await measured(small, reads);
    expect(alone.answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(alone.answers[1].body.data.partner_ids).toEqual([masterId, own]);

    const others: string[] = [];
    for (let i = 0; i < OTHER_TENANTS; i += 1) others.push(await linkedPartner(certificateApiAs(t, { account, tenant: `other-${i}`, roles: ['tenant_admin'] }), certificateId));

    await measured(small, reads);
    const crowded = await measured(small, reads);
    expect(crowded.answers).toEqual(alone.answers);
    // the same documents and answers, give or take a few characters of counters; every tenant's uses were ~500 KB
    expect(crowded.parsed - alone.parsed).toBeLessThan(1_000);

    const usage = (await admin.get(`/v1/certificates/${certificateId}/usage`)).body.data;
    expect(usage.in_use).toBe(true);
    expect(usage.partner_ids).toEqual([masterId, own, ...others]);
    expect(usage.used_by.map((u: { partner_id: string }) => u.partner_id)).toEqual([masterId, masterId, own, own, ...others.flatMap((id) => [id, id])]);
    expect((await admin.get(`/v1/certificates/${certificateId}`)).body.data.partner_ids).toEqual(usage.partner_ids);
  });
});
