import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEYSTORE_MASTER_KEY_FILE, OurKeyOperations } from '@as2-partners/certificate-lifecycle-service';
import { capturedLogLines, createEmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs } from '../certificates/certificate-api.spec-support';

describe('our keys survive a restart (embedded, the generated master key file is reused)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'our-keys-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('signs with the same key after a restart, and keeps the master key file 0600 and unchanged', async () => {
    const ref = { account: 'test-account', tenant: 'restart-tenant', alias: 'restart' };
    const first = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    let keyId: string;
    try {
      const api = certificateApiAs(first, { tenant: 'restart-tenant' });
      keyId = (await api.post('/v1/keys', { alias: 'restart', generate: { key_size: 2048, subject: 'CN=Restart', valid_days: 90 } })).body.data.id;
      expect((await first.app.get(OurKeyOperations).sign(ref, Buffer.from('x'), 'sha256')).keyId).toBe(keyId);
    } finally {
      await first.close();
    }
    const file = join(dataDir, KEYSTORE_MASTER_KEY_FILE);
    const masterKey = readFileSync(file, 'utf8');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    try {
      const signed = await second.app.get(OurKeyOperations).sign(ref, Buffer.from('x'), 'sha256');
      expect(signed.keyId).toBe(keyId);
      expect((await certificateApiAs(second, { tenant: 'restart-tenant' }).get(`/v1/keys/${keyId}`)).body.data.status).toBe('current');
    } finally {
      await second.close();
    }
    expect(readFileSync(file, 'utf8')).toBe(masterKey);
  });

  it('a start with another KEYSTORE_MASTER_KEY or PARTNER_SECRETS_KEY than the stored keys need stops, naming the variable, and the right keys start again', async () => {
    const first = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    try {
      // A tenant partner with a password: its tenant's data key is stored, wrapped by PARTNER_SECRETS_KEY.
      const created = await certificateApiAs(first, { tenant: 'restart-tenant' }).post('/v1/partners', {
        name: 'Restart partner',
        as2_id: 'RESTART-PARTNER',
        url: 'https://restart.example.com/as2',
        http_auth: { enabled: true, username: 'u', password: 'restart-secret' },
      });
      expect(created.status).toBe(201);
    } finally {
      await first.close();
    }
    const other = 'ef'.repeat(32);
    const log = capturedLogLines();
    const refused = { imports: [AllInOneModule], dataDir, logDestination: log.stream };
    await expect(createEmbeddedTestApp({ ...refused, env: { LOG_LEVEL: 'info', KEYSTORE_MASTER_KEY: other } })).rejects.toThrow(
      /^Invalid configuration: KEYSTORE_MASTER_KEY is not the key that sealed the stored private keys \(they need the master key with id [0-9a-f]{16}, this one is [0-9a-f]{16}\)/,
    );
    await expect(createEmbeddedTestApp({ ...refused, env: { LOG_LEVEL: 'info', PARTNER_SECRETS_KEY: other } })).rejects.toThrow(
      'Invalid configuration: PARTNER_SECRETS_KEY does not open the stored tenant data keys',
    );
    // Refused before anything starts: no projection, scheduler or consumer ran against the stores, no error line.
    expect(log.json().filter((line) => String(line['msg']).startsWith('Projections started') || line['level'] === 'error')).toEqual([]);
    const again = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    await again.close();
  });
});
