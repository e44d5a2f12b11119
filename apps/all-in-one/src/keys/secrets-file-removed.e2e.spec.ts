import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEALED_KEYS_COLLECTION } from '@as2-partners/certificate-lifecycle-service';
import { SECRET_STORE, type SecretStore } from '@as2-partners/kernel';
import { capturedLogLines, createEmbeddedTestApp, removeDataFile, storedEventCount, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs } from '../certificates/certificate-api.spec-support';

describe('keys and partner passwords when secrets.sqlite is removed while the server runs (embedded mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'as2-removed-secrets-'));
  let t: EmbeddedTestApp;
  const storedEvents = (): number => storedEventCount(dataDir);

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers 409 KEY_MATERIAL_UNAVAILABLE for a key whose sealed private key is gone from the file, not a 500", async () => {
    const api = certificateApiAs(t, { account: 'lost-blobs', tenant: 't1' });
    const key = await api.post('/v1/keys', { alias: 'lost', generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Lost', valid_days: 365 } });
    expect(key.status).toBe(201);
    // What a secrets.sqlite replaced by an older copy (or lost) leaves: the key listed, its sealed private key not there.
    await t.app.get<SecretStore>(SECRET_STORE).collection(SEALED_KEYS_COLLECTION).deleteMany({ account: 'lost-blobs', tenant: 't1' });
    const csr = await api.post(`/v1/keys/${key.body.data.id}/csr`, {});
    expect([csr.status, csr.body.error?.code]).toEqual([409, 'KEY_MATERIAL_UNAVAILABLE']);
  });

  it('refuses every change 503 STORE_UNAVAILABLE before anything is stored (keys and passwords would be lost at the next start), and readiness and liveness say so', async () => {
    const api = certificateApiAs(t, { account: 'removed-secrets', tenant: 't1' });
    const generate = { generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Before', valid_days: 365 } };
    const kept = await api.post('/v1/keys', { alias: 'before', ...generate });
    // The tenant's data key, which seals its partners' passwords, is in the file too.
    const withPassword = await api.post('/v1/partners', { name: 'Before', as2_id: 'BEFORE-REMOVAL', url: 'https://before.example.com/as2', http_auth: { enabled: true, username: 'u', password: 'first-password' } });
    expect([kept.status, withPassword.status]).toEqual([201, 201]);
    const before = storedEvents();

    removeDataFile(dataDir, 'secrets.sqlite');
    const refused = [
      await api.post('/v1/keys', { alias: 'after', ...generate }),
      // Sealed with the data key the removed file still holds: unreadable after the restart, so refused too.
      await api.patch(`/v1/partners/${withPassword.body.data.id}`, { http_auth: { password: 'new-password' } }),
      await api.post('/v1/partners', { name: 'After', as2_id: 'AFTER-REMOVAL', url: 'https://after.example.com/as2' }),
      await api.delete(`/v1/keys/${kept.body.data.id}`),
    ];
    expect(refused.map((res) => [res.status, res.body.error?.code])).toEqual(Array(4).fill([503, 'STORE_UNAVAILABLE']));
    expect(storedEvents()).toBe(before);
    expect((await api.get(`/v1/keys/${kept.body.data.id}`)).status).toBe(200);

    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    const live = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect([ready.statusCode, ready.json().error?.details?.secretStore?.status, live.statusCode]).toEqual([503, 'down', 503]);
  });
});

describe('a start without secrets.sqlite in a data directory that has events (embedded mode)', () => {
  const root = mkdtempSync(join(tmpdir(), 'as2-missing-secrets-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['removed', (dir: string) => removeDataFile(dir, 'secrets.sqlite')],
    ['cut to nothing', (dir: string) => truncateSync(join(dir, 'secrets.sqlite'), 0)],
  ])('%s: says so in an error line naming the file, instead of starting silently with an empty one', async (_case, lose) => {
    const dataDir = mkdtempSync(join(root, 'dir-'));
    const first = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    expect((await certificateApiAs(first, { account: 'missing-secrets', tenant: 't1' }).post('/v1/keys', { alias: 'k', generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=K', valid_days: 30 } })).status).toBe(201);
    await first.close();
    lose(dataDir);

    const log = capturedLogLines();
    const second = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir, logDestination: log.stream });
    await second.close();
    expect(log.json().filter((line) => line['level'] === 'error').map((line) => line['msg'])).toEqual([expect.stringContaining('secrets.sqlite was not found, or was empty, at this start')]);
  }, 60_000);
});
