import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { READ_MODEL_STORE, type ReadModelStore } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, createPartner, type ApiResponse } from './certificate-api.spec-support';

/** A well-formed partner id nobody ever created. */
const NEVER_CREATED = 'prt_01ARZ3NDEKTSV4RRFFQ69G5FAV';

describe("other tenants' partners stay hidden on certificate routes", () => {
  let t: EmbeddedTestApp;
  const account = `visibility-${process.pid}`;
  let sharedId: string;
  let masterId: string;
  let partnerA: string;
  let partnerB: string;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
    const admin = certificateApiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const master = await admin.post(`/v1/accounts/${account}/partners`, { name: 'Master', as2_id: 'VISIBILITY-MASTER', url: 'https://master.example.com/as2' });
    masterId = master.body.data.id as string;
    const shared = await admin.upload(`/v1/accounts/${account}/partners/${masterId}/certificates`, { name: 'shared', usage: 'encryption' }, issueTestCertificate().pem);
    sharedId = shared.body.data.id as string;
    const tenantA = certificateApiAs(t, { account, tenant: 'tenant-a' });
    const tenantB = certificateApiAs(t, { account, tenant: 'tenant-b' });
    partnerA = await createPartner(tenantA);
    partnerB = await createPartner(tenantB);
    for (const [api, partnerId] of [[tenantA, partnerA], [tenantB, partnerB]] as const) {
      expect((await api.put(`/v1/partners/${partnerId}/certificate-slots/encryption`, { certificate_id: sharedId })).status).toBe(200);
    }
  });
  afterAll(() => t?.close());

  const partnersNamed = (body: { partner_ids: string[]; used_by: { partner_id: string }[] }) => new Set([...body.partner_ids, ...body.used_by.map((u) => u.partner_id)]);

  it.each([
    ['tenant_admin', ['tenant_admin']],
    ['tenant_user', ['tenant_user']],
  ])("a %s of tenant A sees its own and the master partner's uses of an account-level certificate, never tenant B's", async (_role, roles) => {
    const tenantA = certificateApiAs(t, { account, tenant: 'tenant-a', roles });
    const one = await tenantA.get(`/v1/certificates/${sharedId}`);
    expect(partnersNamed(one.body.data)).toEqual(new Set([masterId, partnerA]));
    const usage = await tenantA.get(`/v1/certificates/${sharedId}/usage`);
    expect(partnersNamed(usage.body.data)).toEqual(new Set([masterId, partnerA]));
    expect(usage.body.data.in_use).toBe(true);
    const list = await tenantA.get('/v1/certificates');
    const listed = list.body.data.find((c: { id: string }) => c.id === sharedId);
    expect(partnersNamed(listed)).toEqual(new Set([masterId, partnerA]));
    const ofMaster = await tenantA.get(`/v1/partners/${masterId}/certificates`);
    expect(partnersNamed(ofMaster.body.data[0])).toEqual(new Set([masterId, partnerA]));
  });

  it("the ?partner_id= filter answers for another tenant's partner exactly as for an unknown one", async () => {
    const tenantA = certificateApiAs(t, { account, tenant: 'tenant-a' });
    const own = await tenantA.get(`/v1/certificates?partner_id=${partnerA}`);
    expect(own.body.data.map((c: { id: string }) => c.id)).toEqual([sharedId]);
    const foreign = await tenantA.get(`/v1/certificates?partner_id=${partnerB}`);
    const unknown = await tenantA.get(`/v1/certificates?partner_id=${NEVER_CREATED}`);
    expect(foreign).toEqual(unknown);
    expect(foreign.body.data).toEqual([]);
  });

  it("says an account certificate only another tenant's partner uses is in use, naming none of its uses, as a deletion's 409 does", async () => {
    const admin = certificateApiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const onlyC = await admin.upload(`/v1/accounts/${account}/partners/${masterId}/certificates`, { name: 'only-c', usage: 'encryption' }, issueTestCertificate().pem);
    const onlyCId = onlyC.body.data.id as string;
    const tenantC = certificateApiAs(t, { account, tenant: 'tenant-c' });
    const partnerC = await createPartner(tenantC);
    expect((await tenantC.put(`/v1/partners/${partnerC}/certificate-slots/encryption`, { certificate_id: onlyCId })).status).toBe(200);

    const adminOfA = certificateApiAs(t, { account, tenant: 'tenant-a', roles: ['account_admin'] });
    const usage = await adminOfA.get(`/v1/certificates/${onlyCId}/usage`);
    expect([usage.body.data.in_use, usage.body.data.used_by, usage.body.data.partner_ids.includes(partnerC)]).toEqual([true, [], false]);
    const refused = await adminOfA.delete(`/v1/certificates/${onlyCId}`);
    expect([refused.status, refused.body.error.code, refused.body.error.details.used_by]).toEqual([409, 'CERTIFICATE_IN_USE', []]);
    expect(refused.body.message).toMatch(/in use by ([1-9]) partner slot\(s\) \(\1 of them of other tenants' partners, not listed\)/);
  });

  it('the account admin sees every use', async () => {
    const admin = certificateApiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const usage = await admin.get(`/v1/certificates/${sharedId}/usage`);
    expect(partnersNamed(usage.body.data)).toEqual(new Set([masterId, partnerA, partnerB]));
    expect((await admin.get(`/v1/certificates?partner_id=${partnerB}`)).body.data.map((c: { id: string }) => c.id)).toEqual([sharedId]);
  });

  it("embedded: an unknown partner id answers 404 at the first look-up (no polling for the registry), with the body another tenant's id gets", async () => {
    const tenantA = certificateApiAs(t, { account, tenant: 'tenant-a' });
    const anonymised = (res: ApiResponse, partnerId: string) => ({ status: res.status, body: JSON.parse(JSON.stringify(res.body).split(partnerId).join('<id>')) });
    // Certificate lifecycle's record of partners: distributed, an unknown id is read again until UNKNOWN_PARTNER_WAIT_MS (3 s) has passed.
    const knownPartners = t.app.get<ReadModelStore>(READ_MODEL_STORE).collection('certificate_lifecycle_known_partners');
    const lookups = jest.spyOn(knownPartners, 'get');
    const lookupsOfUnknown = () => lookups.mock.calls.filter(([id]) => id === NEVER_CREATED).length;
    try {
      for (const route of ['certificates', 'certificate-slots', 'trust', 'trust/events']) {
        lookups.mockClear();
        const unknown = await tenantA.get(`/v1/partners/${NEVER_CREATED}/${route}`);
        expect(lookupsOfUnknown()).toBe(1);
        const foreign = await tenantA.get(`/v1/partners/${partnerB}/${route}`);
        expect(anonymised(unknown, NEVER_CREATED)).toEqual(anonymised(foreign, partnerB));
        expect(unknown.status).toBe(404);
        expect(unknown.body.error.code).toBe('PARTNER_NOT_FOUND');
      }
      lookups.mockClear();
      const upload = await tenantA.upload(`/v1/partners/${NEVER_CREATED}/certificates`, { name: 'x', usage: 'encryption' }, issueTestCertificate().pem);
      expect(lookupsOfUnknown()).toBe(1);
      expect(upload.status).toBe(404);
    } finally {
      lookups.mockRestore();
    }
  });

  it("a deleted partner leaves a shared certificate's partner_ids and its ?partner_id= filter, as it leaves used_by", async () => {
    const admin = certificateApiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const tenantA = certificateApiAs(t, { account, tenant: 'tenant-a' });
    const gone = await createPartner(tenantA);
    expect((await tenantA.put(`/v1/partners/${gone}/certificate-slots/encryption`, { certificate_id: sharedId })).status).toBe(200);
    expect((await admin.get(`/v1/certificates/${sharedId}`)).body.data.partner_ids).toContain(gone);
    expect((await tenantA.delete(`/v1/partners/${gone}`)).status).toBe(200);
    // The certificate service learns the deletion from the registry's event: its use ends first.
    for (let tries = 0; (await admin.get(`/v1/certificates/${sharedId}/usage`)).body.data.used_by.some((use: { partner_id: string }) => use.partner_id === gone); tries++) {
      expect(tries).toBeLessThan(200);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const certificate = (await admin.get(`/v1/certificates/${sharedId}`)).body.data;
    expect(certificate.partner_ids).not.toContain(gone);
    expect(new Set(certificate.partner_ids)).toEqual(new Set([masterId, partnerA, partnerB]));
    expect((await admin.get(`/v1/certificates?partner_id=${gone}`)).body.data).toEqual([]);
    expect((await tenantA.get(`/v1/certificates?partner_id=${gone}`)).body.data).toEqual([]);
  });
});
