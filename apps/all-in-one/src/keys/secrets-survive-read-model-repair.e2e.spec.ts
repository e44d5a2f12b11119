import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SEALED_KEYS_COLLECTION } from '@as2-partners/certificate-lifecycle-service';
import { EMBEDDED_SECRETS_FILE } from '@as2-partners/composition';
import { SECRET_STORE, type SecretDocument, type SecretStore } from '@as2-partners/kernel';
import { TENANT_DATA_KEYS_COLLECTION } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs } from '../certificates/certificate-api.spec-support';

jest.setTimeout(120_000);

const PASSWORD = 'Kept-0utbound-Pw!';

/** Our private keys and the tenants' data keys are found nowhere in the events: the README's read-model repair must not lose them. */
describe('our keys and partner passwords survive the read-model repair (embedded)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const newDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-repair-'));
    dirs.push(dir);
    return dir;
  };
  const start = (dataDir: string) => createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
  /** The README's repair: the read-model file (and its WAL) deleted while the service is stopped. */
  const deleteReadModels = (dataDir: string) => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `read-models.sqlite${suffix}`), { force: true });
  };

  /** A generated key and a tenant partner with an HTTP-auth password, checked to work. */
  async function keyAndPartner(t: EmbeddedTestApp, tenant: string): Promise<string> {
    const api = certificateApiAs(t, { tenant });
    expect((await api.post('/v1/keys', { alias: 'kept', generate: { key_size: 2048, subject: 'CN=Kept', valid_days: 90 } })).status).toBe(201);
    const partner = await api.post('/v1/partners', { name: 'Kept', as2_id: `KEPT-${tenant}`, url: 'https://kept.example.com/as2', http_auth: { enabled: true, username: 'kept-user', password: PASSWORD } });
    expect(partner.status).toBe(201);
    await stillWorks(t, tenant, partner.body.data.id);
    return partner.body.data.id;
  }

  async function stillWorks(t: EmbeddedTestApp, tenant: string, partnerId: string): Promise<void> {
    const gateway = certificateApiAs(t, { tenant, roles: ['gateway'] });
    const signed = await gateway.post('/internal/v1/keys/kept/sign', { content: Buffer.from('sign me').toString('base64'), algorithm: 'sha256' });
    expect([signed.status, signed.status === 200 ? null : signed.body]).toEqual([200, null]);
    const auth = await gateway.get(`/internal/v1/partners/${partnerId}/outbound-auth`);
    expect([auth.status, auth.body.data?.password]).toEqual([200, PASSWORD]);
  }

  it('signs and answers the password after read-models.sqlite was deleted and the service started again', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    let partnerId: string;
    try {
      partnerId = await keyAndPartner(first, 'repaired');
    } finally {
      await first.close();
    }
    deleteReadModels(dataDir);

    const second = await start(dataDir);
    try {
      expect((await certificateApiAs(second, { tenant: 'repaired' }).get('/v1/keys?alias=kept')).body.data[0].status).toBe('current');
      await stillWorks(second, 'repaired', partnerId);
    } finally {
      await second.close();
    }
  });

  it('moves what an earlier version kept in the read-model file into secrets.sqlite at start, so a later repair loses nothing', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    let partnerId: string;
    try {
      partnerId = await keyAndPartner(first, 'upgraded');
    } finally {
      await first.close();
    }
    // The data directory of an earlier version: both collections in the read-model file, no secrets.sqlite.
    const file = join(dataDir, EMBEDDED_SECRETS_FILE);
    const secrets = new Database(file, { readonly: true });
    const rows = secrets.prepare('SELECT collection, document FROM secrets').all() as { collection: string; document: string }[];
    secrets.close();
    expect(rows.map((row) => row.collection).sort()).toEqual([SEALED_KEYS_COLLECTION, TENANT_DATA_KEYS_COLLECTION]);
    const readModels = await EmbeddedReadModelStore.open(join(dataDir, 'read-models.sqlite'));
    for (const row of rows) await readModels.collection<SecretDocument>(row.collection, [['account', 'tenant']]).put(JSON.parse(row.document) as SecretDocument);
    await readModels.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });

    const second = await start(dataDir);
    try {
      await stillWorks(second, 'upgraded', partnerId);
      const moved = second.app.get<SecretStore>(SECRET_STORE);
      expect(await moved.collection(SEALED_KEYS_COLLECTION).find({ tenant: 'upgraded' })).toHaveLength(1);
      expect(await moved.collection(TENANT_DATA_KEYS_COLLECTION).find({ tenant: 'upgraded' })).toHaveLength(1);
    } finally {
      await second.close();
    }
    deleteReadModels(dataDir);

    const third = await start(dataDir);
    try {
      await stillWorks(third, 'upgraded', partnerId);
    } finally {
      await third.close();
    }
  });
});
