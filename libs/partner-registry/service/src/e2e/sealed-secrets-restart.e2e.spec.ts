import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { createEmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { PARTNER_SECRETS_KEY_FILE } from '../secrets/partner-secrets-key';
import { TenantSecrets } from '../secrets/tenant-secrets';
import { apiAs, partnerInput } from './partner-api.spec-support';

// a tenant's passwords are sealed with its data key (v2.<key id>.…), itself wrapped by the key kept in DATA_DIR
const SEALED = /"(v2\.[A-Za-z0-9_.-]+)"/;

describe('sealed outbound passwords in embedded mode without PARTNER_SECRETS_KEY', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'partner-registry-sealed-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('can still be unsealed after a restart: the generated key is kept in DATA_DIR, readable by its owner only', async () => {
    const first = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir });
    try {
      const created = await apiAs(first).post('/v1/partners', partnerInput('SEALED', { http_auth: { enabled: true, username: 'edi', password: 'Kept-Across-Restarts' } }));
      expect(created.status).toBe(201);
    } finally {
      await first.close();
    }
    expect((await stat(join(dataDir, PARTNER_SECRETS_KEY_FILE))).mode & 0o777).toBe(0o600);

    const second = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir });
    try {
      const stored = JSON.stringify(await second.app.get<EventStore>(EVENT_STORE).readAll());
      const sealed = SEALED.exec(stored)?.[1];
      expect(sealed).toBeDefined();
      expect(await second.app.get(TenantSecrets).unseal(sealed ?? '')).toBe('Kept-Across-Restarts');
    } finally {
      await second.close();
    }
  });
});
