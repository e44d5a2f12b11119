import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { gatewayAs, partnerInput, trafficApiAs } from './traffic-api.spec-support';

const HOUR = 3_600_000;

describe('traffic control across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'as2-traffic-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('answers decisions from the persisted directory at once, and resumes an until missed while down exactly once', async () => {
    const env = { TRAFFIC_SCHEDULER_INTERVAL_MS: '50' };
    const first = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir, env, now: () => new Date() });
    const admin = trafficApiAs(first, { account: 'acct-restart', tenant: 'ten-restart' });
    const partnerId = (await admin.post('/v1/partners', partnerInput('RESTART-PARTNER'))).body.data.id;
    // Through the registry's route, not an event put on the bus beside the store: a position past the store's end refuses the restart.
    expect((await admin.post('/v1/as2-instances', { my_as2_id: 'RESTART-US', my_name: 'Us', my_as2_alias: 'restart-us', my_email: 'as2@us.example.com' })).status).toBe(201);
    await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'success_mdn', reason: 'weekend', until: new Date(Date.now() + HOUR).toISOString() });
    await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'indefinitely' });
    const asOfBefore = (await gatewayAs(first, 'acct-restart').decide({ direction: 'outbound', as2_from: 'RESTART-US', as2_to: 'RESTART-PARTNER', message_id: 'm0' })).body.as_of;
    expect(asOfBefore).toEqual({ partner_registry: expect.any(Number), traffic_control: expect.any(Number) });
    await first.close();
    // how far the consumer got: a checkpoint saved with its writes, no document of its copy
    const readModels = new Database(join(dataDir, 'read-models.sqlite'), { readonly: true });
    try {
      const consumed = readModels.prepare("SELECT position FROM read_model_checkpoints WHERE name LIKE 'traffic-control.registry-facts~consumed %'").pluck().all();
      expect(consumed).toEqual([asOfBefore.partner_registry]);
      expect(readModels.prepare("SELECT count(*) FROM read_model_docs WHERE collection LIKE 'consumed_events.%' AND id LIKE '~consumed %'").pluck().get()).toBe(0);
    } finally {
      readModels.close();
    }

    // Two hours later: the until passed while nothing ran.
    const second = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir, env, now: () => new Date(Date.now() + 2 * HOUR) });
    try {
      const gateway = gatewayAs(second, 'acct-restart');
      // The first request after start: the directory came back from the persisted documents, not from a replay.
      const firstAnswer = (await gateway.decide({ direction: 'outbound', as2_from: 'RESTART-US', as2_to: 'RESTART-PARTNER', message_id: 'm1' })).body;
      expect(firstAnswer).toMatchObject({ decision: 'block', partner_id: partnerId });
      // ...and its as_of says how far it reaches (the positions applied before the stop), never null.
      expect(firstAnswer.as_of.partner_registry).toBe(asOfBefore.partner_registry);
      expect(firstAnswer.as_of.traffic_control).toBeGreaterThanOrEqual(asOfBefore.traffic_control);
      expect((await gateway.decide({ direction: 'inbound', as2_from: 'RESTART-PARTNER', as2_to: 'RESTART-US', message_id: 'm2' })).body.decision).toBe('accept');
      const again = trafficApiAs(second, { account: 'acct-restart', tenant: 'ten-restart' });
      const resumes = async () => ((await again.get(`/v1/partners/${partnerId}/traffic/timeline`)).body.data as { type: string }[]).filter((e) => e.type === 'traffic.resumed.v1').length;
      await eventually('the overdue resume', async () => ((await resumes()) === 1 ? true : undefined), { timeoutMs: 30_000, intervalMs: 50 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await resumes()).toBe(1);
    } finally {
      await second.close();
    }
  }, 60_000); // two app start-ups in one test

  it("refuses a deleted tenant's gateway token from the first request after a restart (the directory learns deleted tenants from the persisted documents)", async () => {
    const first = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    const accountAdmin = trafficApiAs(first, { sub: 'boss', account: 'acct-restart', tenant: null, roles: ['account_admin'] });
    expect((await accountAdmin.post('/v1/accounts/acct-restart/tenants', { id: 'ten-closed', name: 'Closed plant', plan: 'starter' })).status).toBe(201);
    expect((await accountAdmin.delete('/v1/accounts/acct-restart/tenants/ten-closed')).status).toBe(200);
    await first.close();
    const second = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    try {
      const answer = await gatewayAs(second, 'acct-restart', 'ten-closed').decide({ direction: 'inbound', as2_from: 'ANY', as2_to: 'RESTART-US', message_id: 'm3' });
      expect(answer).toEqual({ status: 403, body: { message: 'Tenant ten-closed was deleted: its data is closed', error: { type: 'authorization_error', code: 'TENANT_DELETED' } } });
    } finally {
      await second.close();
    }
  }, 60_000);
});
