import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEYSTORE_MASTER_KEY_FILE, OurKeyOperations } from '@as2-partners/certificate-lifecycle-service';
import { createEmbeddedTestApp } from '@as2-partners/platform-testing';
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
});
