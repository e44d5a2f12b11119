import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECTION_REGISTRY, type ProjectionRegistry } from '@as2-partners/kernel';
import { createEmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { apiAs, partnerInput } from './partner-api.spec-support';

describe('persistence (embedded)', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'partner-registry-restart-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps partners, masters, overrides and reservations across a restart, and rebuilds the same views', async () => {
    const first = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir });
    const tenant = apiAs(first, { account: 'acc', tenant: 'ten' });
    const admin = apiAs(first, { account: 'acc', tenant: null, roles: ['account_admin'] });
    const own = (await tenant.post('/v1/partners', partnerInput('DURABLE'))).body.data;
    const master = (await admin.post('/v1/accounts/acc/partners', partnerInput('DURABLE-M'))).body.data;
    await tenant.patch(`/v1/partners/${master.id}`, { mdn_mode: 'none' });
    const before = (await tenant.get('/v1/partners')).body;
    await first.close();

    const second = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir });
    try {
      const again = apiAs(second, { account: 'acc', tenant: 'ten' });
      expect((await again.get('/v1/partners')).body).toEqual(before);
      expect(before.data.map((p: any) => p.id)).toEqual([own.id, master.id]);
      expect((await again.post('/v1/partners', partnerInput('DURABLE'))).body.error.code).toBe('DUPLICATE_AS2_ID');

      // A rebuild replays from scratch; the next write waits for the replay to pass its own event.
      await second.app.get<ProjectionRegistry>(PROJECTION_REGISTRY).get('partner-registry.partner-views')!.rebuild();
      await again.post('/v1/partners', partnerInput('AFTER-REBUILD'));
      const rebuilt = (await again.get('/v1/partners')).body;
      expect(rebuilt.data.slice(0, 1)).toEqual(before.data.slice(0, 1));
      expect(rebuilt.data.map((p: any) => p.as2_id)).toEqual(['DURABLE', 'AFTER-REBUILD', 'DURABLE-M']);
      expect(rebuilt.data[2]).toEqual(before.data[1]);
    } finally {
      await second.close();
    }
  });
});
