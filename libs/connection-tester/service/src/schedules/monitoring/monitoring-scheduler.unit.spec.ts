import type { MonitoringDocument } from '../../queries/test-history/connection-views.projection';
import { ConcurrencyGate } from '../../test-runs/concurrency-gate';
import { currentSlotOf } from './monitoring-schedule';
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
const config = { monitorTickMs: 60_000, maxConcurrentPerTenant: 3, maxConcurrentTotal: 50 };

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
  const scheduler = new MonitoringScheduler(views as never, access as never, runner as never, {} as never, config as never, { now: () => NOW } as never);
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

/**
 * Replicas over the same monitors: each with the runner's real concurrency gate, the slot claims shared as the tenant's
 * stream keeps them (a slot runs only if no later or equal one was claimed), and runs that finish when a test says so.
 */
function replicasOf(monitors: readonly MonitoringDocument[], limits: { perTenant?: number; total?: number } = {}) {
  const claimed = new Map<string, number>();
  const runs: { partnerId: string; slot: string; replica: number }[] = [];
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const waiting: (() => void)[] = [];
  let hold = true;
  const finish = async (): Promise<void> => {
    hold = false;
    for (let turns = 0; turns < 50; turns++) {
      waiting.splice(0).forEach((release) => release());
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const settings = { ...config, maxConcurrentPerTenant: limits.perTenant ?? 3, maxConcurrentTotal: limits.total ?? 50 };
  const replica = (index: number) => {
    const gate = new ConcurrencyGate(settings.maxConcurrentPerTenant, settings.maxConcurrentTotal);
    const runner = {
      run: async (request: { tenant: string; partner: { _id: string }; trigger: 'manual' | 'monitoring'; monitoringSlot?: string }) => {
        const leave = (gate.enter as (key: string, lane?: string) => () => void)(request.tenant, request.trigger);
        try {
          const slot = Date.parse(request.monitoringSlot as string);
          if ((claimed.get(request.partner._id) ?? -Infinity) >= slot) return null;
          claimed.set(request.partner._id, slot);
          runs.push({ partnerId: request.partner._id, slot: request.monitoringSlot as string, replica: index });
          const now = (inFlight.get(request.tenant) ?? 0) + 1;
          inFlight.set(request.tenant, now);
          maxInFlight.set(request.tenant, Math.max(now, maxInFlight.get(request.tenant) ?? 0));
          if (hold) await new Promise<void>((resolve) => waiting.push(resolve));
          inFlight.set(request.tenant, (inFlight.get(request.tenant) ?? 1) - 1);
          return { testId: 'tst' };
        } finally {
          leave();
        }
      },
    };
    const views = { monitoring: { find: async () => ({ items: [...monitors], total: monitors.length }) } };
    const access = { forTenant: async (_a: string, _t: string, partnerId: string) => ({ _id: partnerId }), isDeleted: async () => false, planOf: async () => 'enterprise' };
    return new MonitoringScheduler(views as never, access as never, runner as never, {} as never, settings as never, { now: () => NOW } as never);
  };
  return { replica, runs, maxInFlight, gateOf: () => new ConcurrencyGate(settings.maxConcurrentPerTenant, settings.maxConcurrentTotal), finish, release: () => waiting.splice(0).forEach((r) => r()) };
}

const manyOf = (count: number, tenant = 't1'): MonitoringDocument[] =>
  Array.from({ length: count }, (_, i) => monitor(`prt_${tenant}_${String(i).padStart(4, '0')}`, '2026-01-01T00:00:00.000Z', tenant));
const settle = async (turns = 20): Promise<void> => {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('monitoring runs due in the same tick', () => {
  it("all run in their slot, at most the tenant's limit at once, none refused for the others running", async () => {
    const monitors = manyOf(10);
    const { replica, runs, maxInFlight, finish } = replicasOf(monitors);
    const scheduler = replica(0);
    const done = scheduler.runDue(NOW);
    await settle();
    expect(runs).toHaveLength(3);
    await finish();
    expect(await done).toBe(10);
    expect(runs.map((r) => r.partnerId).sort()).toEqual(monitors.map((m) => m.partnerId).sort());
    expect(maxInFlight.get('t1')).toBe(3);
    for (const run of runs) expect(run.slot).toBe(currentSlotOf(`acme.t1.${run.partnerId}`, 15, NOW).toISOString());
  });

  it('run once per slot: a later tick while the queue drains does not start them again, nor does another replica', async () => {
    const monitors = manyOf(10);
    const { replica, runs, finish, release } = replicasOf(monitors);
    const [first, second] = [replica(0), replica(1)];
    const done = first.runDue(NOW);
    const other = second.runDue(NOW);
    await settle();
    const later = new Date(NOW.getTime() + 30_000);
    const again = first.runDue(later);
    release();
    await settle();
    await first.runDue(new Date(NOW.getTime() + 60_000));
    await finish();
    await Promise.all([done, other, again]);
    expect(runs).toHaveLength(10);
    expect(new Set(runs.map((r) => r.partnerId)).size).toBe(10);
  });

  it('a monitor still queued when its next slot comes runs once, for the newer slot: the queue keeps one run per monitor', async () => {
    const monitors = manyOf(4);
    const { replica, runs, finish } = replicasOf(monitors, { perTenant: 1 });
    const scheduler = replica(0);
    const first = scheduler.runDue(NOW);
    await settle();
    expect(runs).toHaveLength(1);
    const running = runs[0]?.partnerId as string;
    const next = new Date(NOW.getTime() + 15 * 60_000);
    const second = scheduler.runDue(next);
    await settle();
    await finish();
    await Promise.all([first, second]);
    const slotsOf = (partnerId: string) => runs.filter((r) => r.partnerId === partnerId).map((r) => r.slot);
    const slotAt = (partnerId: string, at: Date) => currentSlotOf(`acme.t1.${partnerId}`, 15, at).toISOString();
    expect(slotsOf(running)).toEqual([slotAt(running, NOW), slotAt(running, next)]);
    for (const { partnerId } of monitors.filter((m) => m.partnerId !== running)) expect(slotsOf(partnerId)).toEqual([slotAt(partnerId, next)]);
  });

  it("let other tenants' monitors run while one tenant's queue drains", async () => {
    const monitors = [...manyOf(20, 't1'), ...manyOf(2, 't2')];
    const { replica, runs, finish } = replicasOf(monitors, { perTenant: 3, total: 4 });
    const done = replica(0).runDue(NOW);
    await settle();
    expect(runs.filter((r) => r.partnerId.startsWith('prt_t2'))).toHaveLength(1);
    expect(runs).toHaveLength(4);
    await finish();
    expect(await done).toBe(22);
  });

  it('do not hold the tick: it returns with the runs still queued', async () => {
    const { replica, runs, finish } = replicasOf(manyOf(10));
    const scheduler = replica(0) as unknown as { tick(): Promise<void> };
    let returned = false;
    void scheduler.tick().then(() => (returned = true));
    await settle();
    expect(returned).toBe(true);
    expect(runs).toHaveLength(3);
    await finish();
    expect(runs).toHaveLength(10);
  });
});
