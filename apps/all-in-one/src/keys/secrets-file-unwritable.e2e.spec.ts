import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { SECRET_STORE } from '@as2-partners/kernel';
import { createEmbeddedTestApp, storedEventCount, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs } from '../certificates/certificate-api.spec-support';

describe('keys and partner passwords when secrets.sqlite cannot be written (embedded mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'as2-unwritable-secrets-'));
  let t: EmbeddedTestApp;
  /** The secret store's own connection: a read-only file refuses its writes as `query_only` does (chmod does not stop root). */
  const secretsConnection = () => (t.app.get(SECRET_STORE) as unknown as { db: Database.Database }).db;
  const health = async (which: 'ready' | 'live') => {
    const answer = await t.app.inject({ method: 'GET', url: `/health/${which}` });
    const body = answer.json();
    return [answer.statusCode, (body.error?.details ?? body.details)?.secretStore?.status];
  };

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a key creation and a partner with a password 503 STORE_UNAVAILABLE (not 500) with nothing stored, is not ready meanwhile, and is again once the file takes writes', async () => {
    const api = certificateApiAs(t, { account: 'unwritable-secrets', tenant: 't1' });
    const key = { alias: 'refused', generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Refused', valid_days: 365 } };
    // The tenant's first password makes its data key, which is put in the file before anything is recorded.
    const partner = { name: 'Refused', as2_id: 'UNWRITABLE-SECRETS', url: 'https://refused.example.com/as2', http_auth: { enabled: true, username: 'u', password: 'p' } };
    const before = storedEventCount(dataDir);

    secretsConnection().pragma('query_only = ON');
    const refused = [await api.post('/v1/keys', key), await api.post('/v1/partners', partner)];
    expect(refused.map((res) => [res.status, res.body.error?.code])).toEqual(Array(2).fill([503, 'STORE_UNAVAILABLE']));
    expect(storedEventCount(dataDir)).toBe(before);
    // Not ready (no traffic while it refuses), but live: the file takes writes again without a restart.
    expect([await health('ready'), await health('live')]).toEqual([[503, 'down'], [200, 'up']]);

    secretsConnection().pragma('query_only = OFF');
    expect(await health('ready')).toEqual([200, 'up']);
    const stored = [await api.post('/v1/keys', key), await api.post('/v1/partners', partner)];
    expect(stored.map((res) => res.status)).toEqual([201, 201]);
  });
});
