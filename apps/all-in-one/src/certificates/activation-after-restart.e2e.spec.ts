import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { ActivationSchedulerLifecycle } from '@as2-partners/certificate-lifecycle-service';
import { eventually } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, createPartner } from './certificate-api.spec-support';

const HOUR = 3_600_000;

describe('a scheduled activation missed while the service was down', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'as2-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('happens at start-up, once, recording how late it was; data survives the restart', async () => {
    const env = { CERT_SCHEDULER_INTERVAL_MS: '100' };
    // The service's clock, injected: the second start is two hours later, an hour past the activation, without any wait.
    const first = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir, env, now: () => new Date() });
    const api = certificateApiAs(first, { tenant: 'restart-tenant' });
    const partnerId = await createPartner(api);
    await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'old', usage: 'tls' }, issueTestCertificate().pem);
    const next = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'next', usage: 'tls' }, issueTestCertificate().pem);
    const activateOn = new Date(Date.now() + HOUR);
    expect((await api.put(`/v1/partners/${partnerId}/certificate-slots/tls/backup`, { certificate_id: next.body.data.id, activate_on: activateOn.toISOString() })).status).toBe(200);
    await first.close();

    const second = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir, env, now: () => new Date(Date.now() + 2 * HOUR) });
    try {
      const again = certificateApiAs(second, { tenant: 'restart-tenant' });
      await eventually(
        'the overdue backup to activate',
        async () => ((await again.get(`/v1/partners/${partnerId}/certificate-slots`)).body.data.tls.current?.id === next.body.data.id ? true : undefined),
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      // Once: a further pass of the scheduler finds nothing due.
      expect(await second.app.get(ActivationSchedulerLifecycle).scheduler.tick()).toBe(0);
      // the timeline is a view of its own: the activation shows there once that view has it too
      const activations = await eventually(
        'the activation in the timeline',
        async () => {
          const events = (await again.get(`/v1/partners/${partnerId}/trust/events?per_page=100`)).body.data;
          const found = events.filter((e: { type: string }) => e.type === 'partner_certificates.backup_activated.v1');
          return found.length > 0 ? found : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      expect(activations).toHaveLength(1);
      expect(activations[0].data.late_by_ms).toBeGreaterThanOrEqual(HOUR);
      expect(new Date(activations[0].data.activated_at).getTime() - activateOn.getTime()).toBe(activations[0].data.late_by_ms);
      // The late activation is counted, with its lateness, and the last tick found nothing more due.
      const metrics = (await second.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/^as2_scheduler_activations_total\{job="certificate-activation",timeliness="late"\} 1$/m);
      expect(metrics).toMatch(/^as2_scheduler_activation_lateness_seconds_count\{job="certificate-activation"\} 1$/m);
      expect(metrics).toMatch(/^as2_scheduler_due_activations\{job="certificate-activation"\} 0$/m);
    } finally {
      await second.close();
    }
  }, 60_000); // two app start-ups in one test: more than jest's 5 s on a loaded 2-core machine
});
