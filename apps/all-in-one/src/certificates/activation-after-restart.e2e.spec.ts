import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-domain/testing';
import { createEmbeddedTestApp } from '@as2-partners/platform';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, createPartner } from './certificate-api';

describe('a scheduled activation missed while the service was down', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'as2-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('happens at start-up, once, recording how late it was; data survives the restart', async () => {
    const env = { CERT_SCHEDULER_INTERVAL_MS: '100' };
    const first = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir, env });
    const api = certificateApiAs(first, { tenant: 'restart-tenant' });
    const partnerId = await createPartner(api);
    await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'old', usage: 'tls' }, issueTestCertificate().pem);
    const next = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'next', usage: 'tls' }, issueTestCertificate().pem);
    const activateOn = new Date(Date.now() + 1000);
    expect((await api.put(`/v1/partners/${partnerId}/certificate-slots/tls/backup`, { certificate_id: next.body.data.id, activate_on: activateOn.toISOString() })).status).toBe(200);
    await first.close();

    await sleep(Math.max(0, activateOn.getTime() - Date.now()) + 1500);
    const second = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir, env });
    try {
      const again = certificateApiAs(second, { tenant: 'restart-tenant' });
      let current: string | undefined;
      for (let i = 0; i < 100 && current !== next.body.data.id; i++) {
        current = (await again.get(`/v1/partners/${partnerId}/certificate-slots`)).body.data.tls.current?.id;
        if (current !== next.body.data.id) await sleep(50);
      }
      expect(current).toBe(next.body.data.id);
      const events = (await again.get(`/v1/partners/${partnerId}/trust/events?per_page=100`)).body.data;
      const activations = events.filter((e: { type: string }) => e.type === 'partner_certificates.backup_activated.v1');
      expect(activations).toHaveLength(1);
      expect(activations[0].data.late_by_ms).toBeGreaterThanOrEqual(1000);
    } finally {
      await second.close();
    }
    // Two app starts and 2.5 s of waiting for the activation to fall due: jest's 5 s default leaves no room on a loaded machine.
  }, 30_000);
});
