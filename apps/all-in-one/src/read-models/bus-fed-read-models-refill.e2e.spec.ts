import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { eventually } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';

/**
 * Deleting read-models.sqlite (or a corrupt one set aside) must give back every read model, those fed by another
 * service's events included: in one process those events are in the same store, though the bus keeps none of them.
 */
describe('a read-model file gone (embedded mode): the read models fed by other services fill again from the events', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'as2-bus-fed-refill-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const start = () => createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
  const call = (test: EmbeddedTestApp, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    test.app.inject({ method, url, headers: { authorization: `Bearer ${test.token()}` }, ...(payload ? { payload } : {}) });
  const certificate = (name: string) => ({ name, usage: 'both', certificate: issueTestCertificate({ commonName: name }).pem });

  it('certificate uploads and traffic pauses still find the partner, not a deleted one, and its details list its certificate and pause', async () => {
    const first = await start();
    let partnerId: string;
    let deletedId: string;
    try {
      const admin = first.token({ tenant: null, roles: ['account_admin'] });
      const tenant = await first.app.inject({ method: 'POST', url: '/v1/accounts/test-account/tenants', headers: { authorization: `Bearer ${admin}` }, payload: { id: 'test-tenant', name: 'Refill', plan: 'enterprise' } });
      expect(tenant.statusCode).toBe(201);
      const created = await call(first, 'POST', '/v1/partners', { name: 'Refilled', as2_id: 'REFILLED', url: 'https://as2.example.com/receive' });
      expect(created.statusCode).toBe(201);
      partnerId = created.json().data.id;
      expect((await call(first, 'POST', `/v1/partners/${partnerId}/certificates`, certificate('refill-1'))).statusCode).toBe(201);
      expect((await call(first, 'PUT', `/v1/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'http_422', reason: 'cut-over' })).statusCode).toBe(200);
      const gone = await call(first, 'POST', '/v1/partners', { name: 'Gone', as2_id: 'GONE', url: 'https://as2.example.com/receive' });
      deletedId = gone.json().data.id;
      expect((await call(first, 'POST', `/v1/partners/${deletedId}/certificates`, certificate('gone-1'))).statusCode).toBe(201);
      expect((await call(first, 'DELETE', `/v1/partners/${deletedId}`)).statusCode).toBe(200);
    } finally {
      await first.close();
    }
    for (const name of readdirSync(dataDir)) if (name.startsWith('read-models.sqlite')) rmSync(join(dataDir, name));

    const second = await start();
    try {
      // The catch-up redoes no effect of what it applies (the deleted partner's certificates were deactivated then): nothing parked.
      const followers = (await second.app.inject({ method: 'GET', url: '/health/ready' })).json().info.pipeline.followers as { name: string; parked: number }[];
      expect(followers.filter((f) => f.parked > 0)).toEqual([]);
      expect((await call(second, 'POST', `/v1/partners/${deletedId}/certificates`, certificate('gone-2'))).statusCode).toBe(404);
      // Before: 404 PARTNER_NOT_FOUND for both, and the details without certificate or pause, for good.
      const uploaded = await call(second, 'POST', `/v1/partners/${partnerId}/certificates`, certificate('refill-2'));
      expect([uploaded.statusCode, uploaded.statusCode === 201 ? null : uploaded.body]).toEqual([201, null]);
      const paused = await call(second, 'PUT', `/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'cut-over' });
      expect([paused.statusCode, paused.statusCode === 200 ? null : paused.body]).toEqual([200, null]);
      const details = await eventually(
        'the partner details to list both certificates and the incoming pause',
        async () => {
          const answer = (await call(second, 'GET', `/v1/partners/${partnerId}`)).json().data;
          return answer.certificates?.length === 2 && answer.traffic?.incoming?.paused === true ? answer : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 50 },
      );
      expect(details.certificates.map((c: { name: string }) => c.name).sort()).toEqual(['refill-1', 'refill-2']);
    } finally {
      await second.close();
    }
  }, 120_000);
});
