import { eventually } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, freshTenant, type CertificateApi } from '../certificates/certificate-api.spec-support';

const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, { timeoutMs: 30_000, intervalMs: 50 });
const generate = { generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Us AS2, O=Us', valid_days: 365 } };

/** Both services in one process: the instance's `keys` come from the keystore's key.* events, never key material. */
describe("an AS2 instance's keys (embedded, both services)", () => {
  let t: EmbeddedTestApp;
  let api: CertificateApi;
  let tenant: string;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
  });
  afterAll(() => t?.close());
  beforeEach(() => {
    tenant = freshTenant();
    api = certificateApiAs(t, { tenant });
  });

  const instanceWithAlias = async (alias: string) => {
    const res = await api.post('/v1/as2-instances', { my_as2_id: `US-${alias}`, my_name: 'Us', my_as2_alias: alias, my_email: 'as2@us.example.com' });
    expect(res.status).toBe(201);
    return res.body.data as { id: string };
  };

  it('lists the key of its alias (alias, usage, fingerprint, expiry), its scheduled successor, and nothing of another tenant', async () => {
    const key = (await api.post('/v1/keys', { alias: 'us-main', ...generate })).body.data;
    const instance = await instanceWithAlias('us-main');
    const details = await until('the key in the instance details', async () => {
      const data = (await api.get(`/v1/as2-instances/${instance.id}`)).body.data;
      return data.keys.length > 0 ? data : undefined;
    });
    expect(details.keys).toEqual([
      {
        id: key.id,
        alias: 'us-main',
        status: 'current',
        usage: 'sign_and_decrypt',
        fingerprint: key.fingerprint_sha256,
        expires_at: key.expires_at ?? expect.any(String),
        activate_at: null,
        overlap_until: null,
        tenant,
      },
    ]);
    expect(JSON.stringify(details)).not.toMatch(/PRIVATE KEY|sealed/i);

    const activateAt = new Date(Date.now() + 3_600_000).toISOString();
    const overlapUntil = new Date(Date.now() + 7_200_000).toISOString();
    const next = (await api.post(`/v1/keys/${key.id}/rollover`, { ...generate, activate_at: activateAt, overlap_until: overlapUntil })).body.data;
    const withNext = await until('the scheduled successor', async () => {
      const keys = (await api.get(`/v1/as2-instances/${instance.id}`)).body.data.keys;
      return keys.length === 2 && keys[1].activate_at !== null ? keys : undefined;
    });
    expect(withNext.map((k: { id: string; status: string; usage: string }) => [k.id, k.status, k.usage])).toEqual([
      [key.id, 'current', 'sign_and_decrypt'],
      [next.id, 'next', 'none'],
    ]);
    // The same words as the keystore's own view of these keys.
    const keystoreUsage = (await api.get(`/v1/keys?alias=us-main`)).body.data.map((k: { id: string; usage: string }) => [k.id, k.usage]);
    expect(withNext.map((k: { id: string; usage: string }) => [k.id, k.usage])).toEqual(expect.arrayContaining(keystoreUsage));

    // Another tenant's instance with the same alias sees its own keystore only.
    const other = certificateApiAs(t, { tenant: freshTenant() });
    const theirs = (await other.post('/v1/as2-instances', { my_as2_id: 'THEM', my_name: 'Them', my_as2_alias: 'us-main', my_email: 'a@b.example.com' })).body.data;
    expect((await other.get(`/v1/as2-instances/${theirs.id}`)).body.data.keys).toEqual([]);

    expect((await api.delete(`/v1/keys/${next.id}`)).status).toBe(200);
    await until('the cancelled successor to leave', async () => ((await api.get(`/v1/as2-instances/${instance.id}`)).body.data.keys.length === 1 ? true : undefined));
  });
});
