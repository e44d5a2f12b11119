import type { RequestContext } from '@as2-partners/platform';
import type { PartnerFacts } from '@as2-partners/traffic-control-domain';
import type { TrafficControlConfig } from '../config/traffic-control.config';
import type { LiveTrafficDirectory } from '../directory/live-traffic-directory';
import { TrafficTargets } from './traffic-target';

const facts = (partnerId: string, account: string, tenant: string | null, deleted = false): PartnerFacts => ({ partnerId, account, tenant, as2Id: partnerId.toUpperCase(), name: partnerId, active: true, deleted, stationId: null });
const known = new Map<string, PartnerFacts>([
  ['prt_own', facts('prt_own', 'acc', 't1')],
  ['prt_master', facts('prt_master', 'acc', null)],
  ['prt_other_tenant', facts('prt_other_tenant', 'acc', 't2')],
  ['prt_other_account', facts('prt_other_account', 'other', 't1')],
  ['prt_deleted', facts('prt_deleted', 'acc', 't1', true)],
]);
const tenantCaller = { caller: { sub: 'u', account: 'acc', tenant: 't1', roles: ['tenant_admin'] } } as unknown as RequestContext;

describe('TrafficTargets (distributed: a partner the registry may not have told yet is waited for)', () => {
  const WAIT_MS = 3_000;
  let lookups: string[];
  let targets: TrafficTargets;

  beforeEach(() => {
    jest.useFakeTimers();
    lookups = [];
    const live = { partner: async (id: string) => (lookups.push(id), known.get(id)) } as unknown as LiveTrafficDirectory;
    targets = new TrafficTargets(live, { unknownPartnerWaitMs: WAIT_MS } as TrafficControlConfig);
  });
  afterEach(() => jest.useRealTimers());

  it("finds the tenant's own and its account's master partners at once", async () => {
    expect((await targets.ofTenant(tenantCaller, 'prt_own')).ref).toEqual({ partnerId: 'prt_own', account: 'acc', tenant: 't1', scope: 'tenant' });
    expect((await targets.ofTenant(tenantCaller, 'prt_master')).partner.partnerId).toBe('prt_master');
    expect(lookups).toEqual(['prt_own', 'prt_master']);
  });

  it("answers another tenant's, another account's and a deleted partner 404 after the very wait an unknown id gets, looked up alike", async () => {
    const lookupsOf: Record<string, number> = {};
    for (const id of ['prt_never_created', 'prt_other_tenant', 'prt_other_account', 'prt_deleted']) {
      lookups = [];
      let answered: unknown = null;
      void targets.ofTenant(tenantCaller, id).catch((error: unknown) => (answered = error));
      await jest.advanceTimersByTimeAsync(WAIT_MS - 100);
      expect([id, answered]).toEqual([id, null]);
      await jest.advanceTimersByTimeAsync(200);
      expect([id, (answered as { code?: string } | null)?.code]).toEqual([id, 'PARTNER_NOT_FOUND']);
      lookupsOf[id] = lookups.length;
    }
    expect(new Set(Object.values(lookupsOf)).size).toBe(1);
  });
});
