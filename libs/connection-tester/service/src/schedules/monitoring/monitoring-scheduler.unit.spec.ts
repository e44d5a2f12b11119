import type { MonitoringDocument } from '../../queries/test-history/connection-views.projection';
import { MonitoringScheduler } from './monitoring-scheduler';

const NOW = new Date('2026-12-07T12:00:00.000Z');
const monitor = (partnerId: string, configuredAt: string, tenant = 't1'): MonitoringDocument => ({
  _id: `acme.${tenant}.${partnerId}`,
  account: 'acme',
  tenant,
  partnerId,
  enabled: true,
  testType: 'ping',
  intervalMinutes: 15,
  configuredAt,
});

/** A scheduler over these monitors, the tenants' plans, and a runner that records whom it tests. */
function schedulerOf(monitors: readonly MonitoringDocument[], plans: Record<string, string>) {
  const tested: string[] = [];
  const views = { monitoring: { find: async () => ({ items: [...monitors], total: monitors.length }) } };
  const access = {
    forTenant: async (_account: string, _tenant: string, partnerId: string) => ({ _id: partnerId }),
    isDeleted: async () => false,
    planOf: async (_account: string, tenant: string) => plans[tenant] as string,
  };
  const runner = { run: async (request: { partner: { _id: string } }) => (tested.push(request.partner._id), { testId: 'tst' }) };
  const scheduler = new MonitoringScheduler(views as never, access as never, runner as never, {} as never, { monitorTickMs: 60_000 } as never, { now: () => NOW } as never);
  return { scheduler, tested };
}

describe('monitoring runs', () => {
  it("run only as many of a tenant's monitors as its plan allows, the ones configured first: a plan gone down does not keep the others running", async () => {
    const monitors = [monitor('prt_b', '2026-01-02T00:00:00.000Z'), monitor('prt_a', '2026-01-01T00:00:00.000Z'), monitor('prt_c', '2026-01-03T00:00:00.000Z'), monitor('prt_x', '2026-01-05T00:00:00.000Z', 't2')];
    const { scheduler, tested } = schedulerOf(monitors, { t1: 'free', t2: 'professional' });
    expect(await scheduler.runDue(NOW)).toBe(2);
    expect(tested.sort()).toEqual(['prt_a', 'prt_x']);
  });

  it('keep their order when one of them is changed: the first turned on, not the last edited, runs', async () => {
    const edited = { ...monitor('prt_a', '2026-06-01T00:00:00.000Z'), intervalMinutes: 20, enabledSince: '2026-01-01T00:00:00.000Z' };
    const { scheduler, tested } = schedulerOf([edited, monitor('prt_b', '2026-01-02T00:00:00.000Z')], { t1: 'free' });
    await scheduler.runDue(NOW);
    expect(tested).toEqual(['prt_a']);
  });

  it('run every monitor of a plan that allows them all', async () => {
    const monitors = [monitor('prt_a', '2026-01-01T00:00:00.000Z'), monitor('prt_b', '2026-01-02T00:00:00.000Z')];
    const { scheduler, tested } = schedulerOf(monitors, { t1: 'starter' });
    expect(await scheduler.runDue(NOW)).toBe(2);
    expect(tested.sort()).toEqual(['prt_a', 'prt_b']);
  });
});
