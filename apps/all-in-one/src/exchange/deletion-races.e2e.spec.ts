import { EVENT_STORE, type EventStore, type RecordedEvent } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { certificateApiAs, multipartBody, type ApiResponse } from '../certificates/certificate-api.spec-support';

const ACCOUNT = `acct-races-${process.pid}`;
const TENANT = 'plant';

/**
 * Writes that check something another stream holds (the master partner an override names, the instance and partner of a
 * partnership) racing that thing's deletion: the write is answered before the deletion (and the deletion ends it) or
 * refused after it, never stored after it having checked before, never 5xx.
 */
describe('writes racing the deletion of what they depend on (embedded, through the API)', () => {
  let t: EmbeddedTestApp;
  let store: EventStore;
  let n = 0;
  const fresh = (prefix: string) => `${prefix}-${process.pid}-${(n += 1)}`;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
    store = t.app.get<EventStore>(EVENT_STORE);
    const admin = certificateApiAs(t, { account: ACCOUNT, tenant: null, roles: ['account_admin'] });
    expect((await admin.post(`/v1/accounts/${ACCOUNT}/tenants`, { id: TENANT, name: 'Plant', plan: 'enterprise' })).status).toBe(201);
  }, 30_000);
  afterAll(async () => t?.close());

  const accountAdmin = () => certificateApiAs(t, { account: ACCOUNT, tenant: null, roles: ['account_admin'] });
  const tenantAdmin = () => certificateApiAs(t, { account: ACCOUNT, tenant: TENANT, roles: ['tenant_admin'] });
  const serverErrors = (answers: readonly ApiResponse[]) => answers.filter((res) => res.status >= 500).map((res) => [res.status, res.body]);
  const positionOf = (events: readonly RecordedEvent[], type: string, stream: string) => (events.find((e) => e.type === type && e.stream.endsWith(stream)) as RecordedEvent).position;

  it("a tenant's overrides of a master partner racing the account's DELETE of it: 200 before it or 404 after it, no override stored after it", async () => {
    for (let round = 0; round < 6; round += 1) {
      const as2Id = fresh('MASTER').toUpperCase();
      const master = await accountAdmin().post(`/v1/accounts/${ACCOUNT}/partners`, { name: 'Shared', as2_id: as2Id, url: `https://${as2Id.toLowerCase()}.example.com/as2` });
      expect(master.status).toBe(201);
      const masterId = master.body.data.id as string;
      const patches = Array.from({ length: 10 }, (_, i) => tenantAdmin().patch(`/v1/partners/${masterId}`, { name: `Tenant name ${i}` }));
      const deletion = new Promise((resolve) => setTimeout(resolve, round % 3)).then(() => accountAdmin().delete(`/v1/accounts/${ACCOUNT}/partners/${masterId}`));
      const [deleted, ...answers] = await Promise.all([deletion, ...patches]);
      expect(deleted.status).toBe(200);
      expect(serverErrors(answers)).toEqual([]);
      expect(answers.filter((res) => res.status !== 200 && res.status !== 404).map((res) => [res.status, res.body])).toEqual([]);
      for (const res of answers.filter((r) => r.status === 404)) expect(res.body.error.code).toBe('PARTNER_NOT_FOUND');
      const events = await store.readAll();
      const deletedAt = positionOf(events, 'master_partner.deleted.v1', masterId);
      const overridesAfter = events.filter((e) => e.position > deletedAt && e.type === 'partner.override_set.v1' && (e.data as { masterPartnerId: string }).masterPartnerId === masterId);
      expect(overridesAfter).toEqual([]);
    }
  });

  it("partnerships created while their instance is deleted with cascade: 201 before it (and ended by it) or 404 after it, none left standing, no 5xx", async () => {
    const tenant = tenantAdmin();
    const partners: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      const as2Id = fresh('PEER').toUpperCase();
      const res = await tenant.post('/v1/partners', { name: `Peer ${i}`, as2_id: as2Id, url: `https://${as2Id.toLowerCase()}.example.com/as2` });
      expect(res.status).toBe(201);
      partners.push(res.body.data.id as string);
    }
    for (let round = 0; round < 6; round += 1) {
      const instance = await tenant.post('/v1/as2-instances', { my_as2_id: fresh('US').toUpperCase(), my_name: 'Us', my_as2_alias: 'us-main', my_email: 'as2@us.example.com' });
      expect(instance.status).toBe(201);
      const instanceId = instance.body.data.id as string;
      const creates = partners.map((partnerId) => tenant.post('/v1/partnerships', { as2_instance_id: instanceId, partner_id: partnerId }));
      const deletion = new Promise((resolve) => setTimeout(resolve, round % 4)).then(() => tenant.delete(`/v1/as2-instances/${instanceId}?cascade=true`));
      const [deleted, ...answers] = await Promise.all([deletion, ...creates]);
      expect(deleted.status).toBe(200);
      expect(serverErrors(answers)).toEqual([]);
      expect(answers.filter((res) => res.status !== 201 && res.status !== 404).map((res) => [res.status, res.body])).toEqual([]);
      // Every partnership of the instance is ended: none in the list, none readable.
      const listed = await tenant.get(`/v1/partnerships?as2_instance_id=${instanceId}`);
      expect([listed.status, listed.body.data]).toEqual([200, []]);
      for (const res of answers.filter((r) => r.status === 201)) expect((await tenant.get(`/v1/partnerships/${res.body.data.id}`)).status).toBe(404);
      const events = await store.readAll();
      const created = events.filter((e) => e.type === 'partnership.created.v1' && (e.data as { as2InstanceId: string }).as2InstanceId === instanceId).map((e) => e.stream);
      const ended = new Set(events.filter((e) => e.type === 'partnership.deleted.v1').map((e) => e.stream));
      expect(created.filter((stream) => !ended.has(stream))).toEqual([]);
    }
  });

  it("certificate and traffic writes under a partner racing its DELETE: answered before it or 404 after it, nothing of theirs stored after it, no certificate left active on it", async () => {
    const tenant = tenantAdmin();
    const upload = (partnerId: string, name: string) => {
      const body = multipartBody({ name, usage: 'encryption' }, { field: 'certificate', filename: 'partner.pem', content: issueTestCertificate().pem });
      return t.app
        .inject({ method: 'POST', url: `/v1/partners/${partnerId}/certificates`, headers: { authorization: `Bearer ${t.token({ account: ACCOUNT, tenant: TENANT, roles: ['tenant_admin'] })}`, 'content-type': body.contentType }, payload: body.payload })
        .then((res) => ({ status: res.statusCode, body: res.json() as { data?: { id: string } } }));
    };
    for (let round = 0; round < 5; round += 1) {
      const as2Id = fresh('DOOMED').toUpperCase();
      const created = await tenant.post('/v1/partners', { name: 'Doomed', as2_id: as2Id, url: `https://${as2Id.toLowerCase()}.example.com/as2` });
      expect(created.status).toBe(201);
      const partnerId = created.body.data.id as string;
      const hour = 3_600_000;
      const writes: Promise<ApiResponse>[] = [
        ...Array.from({ length: 4 }, (_, i) => upload(partnerId, `enc ${i}`)),
        tenant.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'http_422', reason: 'race' }),
        tenant.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'race' }),
        tenant.post(`/v1/partners/${partnerId}/traffic/windows`, { direction: 'both', starts_at: new Date(Date.now() + hour).toISOString(), ends_at: new Date(Date.now() + 2 * hour).toISOString(), reason: 'race' }),
      ];
      const deletion = new Promise((resolve) => setTimeout(resolve, round % 3)).then(() => tenant.delete(`/v1/partners/${partnerId}`));
      const [deleted, ...answers] = await Promise.all([deletion, ...writes]);
      expect(deleted.status).toBe(200);
      expect(serverErrors(answers)).toEqual([]);
      const events = await store.readAll();
      const deletedAt = positionOf(events, 'partner.deleted.v1', partnerId);
      const late = events.filter((e) => e.position > deletedAt && JSON.stringify(e.data).includes(partnerId) && !/removed|deactivated|deleted|released|unassigned|resumed|cleared|cancelled|ended/.test(e.type));
      expect(late.map((e) => e.type)).toEqual([]);
      for (const res of answers.filter((r) => r.status === 201 && r.body.data?.id?.startsWith('cert_'))) {
        expect((await tenant.get(`/v1/certificates/${res.body.data.id}`)).body.data.active).toBe(false);
      }
    }
  });

  it("a key's DELETE racing AS2 instances that name its alias: 409 KEY_IN_USE when one was stored before it, never a deleted key an instance stored before named", async () => {
    const tenant = tenantAdmin();
    const existing: string[] = [];
    for (let i = 0; i < 4; i += 1) existing.push((await tenant.post('/v1/as2-instances', { my_as2_id: fresh('OLD').toUpperCase(), my_name: 'Us', my_as2_alias: 'elsewhere', my_email: 'as2@us.example.com' })).body.data.id as string);
    for (let round = 0; round < 8; round += 1) {
      const alias = fresh('alias');
      const key = await tenant.post('/v1/keys', { alias, generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Us', valid_days: 365 } });
      expect(key.status).toBe(201);
      const instances = [
        ...Array.from({ length: 4 }, () => tenant.post('/v1/as2-instances', { my_as2_id: fresh('OURS').toUpperCase(), my_name: 'Us', my_as2_alias: alias, my_email: 'as2@us.example.com' })),
        ...existing.map((id) => tenant.patch(`/v1/as2-instances/${id}`, { my_as2_alias: alias })),
      ];
      const deletion = new Promise((resolve) => setTimeout(resolve, round % 6)).then(() => tenant.delete(`/v1/keys/${key.body.data.id}`));
      const [deleted, ...answers] = await Promise.all([deletion, ...instances]);
      expect(serverErrors([deleted, ...answers])).toEqual([]);
      expect([200, 409]).toContain(deleted.status);
      if (deleted.status === 409) {
        expect(deleted.body.error.code).toBe('KEY_IN_USE');
        continue;
      }
      // Deleted: no instance naming the alias was stored before the deletion.
      const events = await store.readAll();
      const deletedAt = (events.find((e) => e.type === 'key.deleted.v1' && (e.data as { alias: string }).alias === alias) as RecordedEvent).position;
      const namingBefore = events.filter((e) => e.position < deletedAt && e.type.startsWith('as2_instance.') && JSON.stringify(e.data).includes(`"${alias}"`));
      expect(namingBefore.map((e) => e.stream)).toEqual([]);
    }
  });

  it("a station naming an AS2 instance as its default racing the instance's DELETE: never left naming the deleted instance", async () => {
    const tenant = tenantAdmin();
    const stations: string[] = [];
    for (let i = 0; i < 6; i += 1) stations.push((await tenant.post('/v1/stations', { name: `Default ${i}`, notification_email: 'ops@example.com' })).body.data.id as string);
    for (let round = 0; round < 5; round += 1) {
      const instance = await tenant.post('/v1/as2-instances', { my_as2_id: fresh('DEF').toUpperCase(), my_name: 'Us', my_as2_alias: 'us-main', my_email: 'as2@us.example.com' });
      expect(instance.status).toBe(201);
      const instanceId = instance.body.data.id as string;
      const patches = stations.map((stationId) => tenant.patch(`/v1/stations/${stationId}`, { as2_instance_id: instanceId }));
      const deletion = new Promise((resolve) => setTimeout(resolve, round % 3)).then(() => tenant.delete(`/v1/as2-instances/${instanceId}`));
      const [deleted, ...answers] = await Promise.all([deletion, ...patches]);
      expect(deleted.status).toBe(200);
      expect(serverErrors(answers)).toEqual([]);
      for (const stationId of stations) expect([stationId, (await tenant.get(`/v1/stations/${stationId}`)).body.data.as2_instance_id]).not.toEqual([stationId, instanceId]);
    }
  });
});
