import { DomainError, foldEvents } from '@as2-partners/kernel';
import { MANUAL_TESTS_KEPT, tenantTestingDecider as decider, type TenantTestingCommand, type TenantTestingState } from './tenant-testing.decider';
import type { TenantTestingEvent } from './tenant-testing.events';
import { testPlanOf } from './test-plans';

const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, 0) + minutes * 60_000).toISOString();
const reserve = (testId: string, minute: number, plan = 'free', extra: Partial<TenantTestingCommand> = {}): TenantTestingCommand =>
  ({ type: 'reserve_test', testId, account: 'acme', tenant: 't1', partnerId: 'prt_1', testType: 'ping', trigger: 'manual', plan: testPlanOf(plan), now: at(minute), ...extra }) as TenantTestingCommand;

function run(commands: readonly TenantTestingCommand[]): TenantTestingEvent[] {
  const history: TenantTestingEvent[] = [];
  for (const command of commands) history.push(...decider.decide(command, foldEvents(decider, history)));
  return history;
}

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a DomainError');
}

describe('tenant testing decider', () => {
  it('lets 10 manual tests through in an hour on free and refuses the 11th with the seconds until the oldest leaves the hour', () => {
    const history = run(Array.from({ length: 10 }, (_, i) => reserve(`t${i}`, i)));
    expect(history).toHaveLength(10);
    const error = errorOf(() => decider.decide(reserve('t10', 30), foldEvents(decider, history)));
    expect(error.code).toBe('TEST_RATE_LIMIT_EXCEEDED');
    expect(error.details).toEqual({ tests_last_hour: 10, plan_limit: 10, plan: 'free', retry_after_seconds: 30 * 60 });
  });

  it('counts only the last hour: a test an hour after the oldest passes again', () => {
    const history = run(Array.from({ length: 10 }, (_, i) => reserve(`t${i}`, i)));
    expect(decider.decide(reserve('t10', 60), foldEvents(decider, history))).toHaveLength(1);
  });

  it('applies each plan: starter 50, professional 200, enterprise unlimited, unknown plans as free', () => {
    expect(testPlanOf('starter').testsPerHour).toBe(50);
    expect(testPlanOf('professional').testsPerHour).toBe(200);
    expect(testPlanOf('enterprise').testsPerHour).toBeNull();
    expect(testPlanOf('gold').plan).toBe('free');
    expect(run(Array.from({ length: 300 }, (_, i) => reserve(`t${i}`, 0, 'enterprise')))).toHaveLength(300);
    const starter = run(Array.from({ length: 50 }, (_, i) => reserve(`t${i}`, 1, 'starter')));
    expect(errorOf(() => decider.decide(reserve('x', 2, 'starter'), foldEvents(decider, starter))).details).toMatchObject({ plan_limit: 50, plan: 'starter' });
  });

  describe('monitoring', () => {
    const configure = (partnerId: string, enabled = true, minute = 0): TenantTestingCommand => ({
      type: 'configure_monitoring', account: 'acme', tenant: 't1', partnerId, enabled, testType: 'ping', intervalMinutes: 15, plan: testPlanOf('free'), now: at(minute),
    });
    const monitoringRun = (slot: string, minute: number) => reserve(`m-${slot}`, minute, 'free', { trigger: 'monitoring', monitoringSlot: slot });

    it('runs a slot once: a second claim of the same slot (another replica) decides nothing', () => {
      const history = run([configure('prt_1'), monitoringRun(at(15), 15)]);
      expect(decider.decide(monitoringRun(at(15), 15), foldEvents(decider, history))).toEqual([]);
      expect(decider.decide(monitoringRun(at(30), 30), foldEvents(decider, history))).toHaveLength(1);
    });

    it('does not count monitoring runs against the manual limit, and does not run for partners no longer monitored', () => {
      const history = run([configure('prt_1'), ...Array.from({ length: 20 }, (_, i) => monitoringRun(at(i), i)), ...Array.from({ length: 10 }, (_, i) => reserve(`t${i}`, 21))]);
      expect(history.filter((e) => e.type === 'connection.test_reserved.v1')).toHaveLength(30);
      const off = run([configure('prt_1'), configure('prt_1', false, 1)]);
      expect(decider.decide(monitoringRun(at(15), 15), foldEvents(decider, off))).toEqual([]);
    });

    it('turning off records the setting that stops, whatever the request carried', () => {
      const history = run([{ ...(configure('prt_1') as Extract<TenantTestingCommand, { type: 'configure_monitoring' }>), testType: 'mdn', intervalMinutes: 60 }]);
      const off = decider.decide(configure('prt_1', false, 1), foldEvents(decider, history));
      expect(off.map((e) => e.data)).toEqual([expect.objectContaining({ partnerId: 'prt_1', enabled: false, testType: 'mdn', intervalMinutes: 60 })]);
    });

    it('caps monitored partners per plan (free: one)', () => {
      const history = run([configure('prt_1')]);
      expect(errorOf(() => decider.decide(configure('prt_2'), foldEvents(decider, history))).details).toEqual({ monitored_partners: 2, plan_limit: 1, plan: 'free' });
      expect(decider.decide(configure('prt_1'), foldEvents(decider, history))).toEqual([]);
    });
  });
});

describe('tenant testing decider: a long stream', () => {
  const configured = (partnerId: string, enabled: boolean, minute: number): TenantTestingEvent => ({
    type: 'connection.monitoring_configured.v1',
    data: { partnerId, account: 'acme', tenant: 't1', enabled, testType: 'ping', intervalMinutes: 15, configuredAt: at(minute) },
  });
  const reserved = (testId: string, partnerId: string, minute: number, slot: string | null): TenantTestingEvent => ({
    type: 'connection.test_reserved.v1',
    data: { testId, account: 'acme', tenant: 't1', partnerId, testType: 'ping', trigger: slot === null ? 'manual' : 'monitoring', monitoringSlot: slot, reservedAt: at(minute) },
  });
  /** 300 partners monitored every 15 minutes for a month (a run per partner and slot), manual tests now and then, settings changed. */
  const month: TenantTestingEvent[] = [];
  for (let p = 0; p < 300; p++) month.push(configured(`prt_${p}`, true, 0));
  for (let slot = 1; slot <= 2_880; slot++) {
    for (let p = slot % 3; p < 300; p += 3) month.push(reserved(`m${slot}-${p}`, `prt_${p}`, slot * 15, at(slot * 15)));
    if (slot % 7 === 0) month.push(reserved(`t${slot}`, 'prt_1', slot * 15, null));
    if (slot % 500 === 0) month.push(configured(`prt_${slot % 300}`, false, slot * 15));
  }
  const comparable = (state: TenantTestingState) => ({
    manualTests: state.manualTests,
    monitoring: [...state.monitoring.entries()].sort(([a], [b]) => a.localeCompare(b)),
    claimedSlots: [...state.claimedSlots.entries()].sort(([a], [b]) => a.localeCompare(b)),
  });

  it('folds with work linear in its length (no copy of the monitored partners per event), counted, not timed', () => {
    const mapSet = jest.spyOn(Map.prototype, 'set');
    const full = foldEvents(decider, month);
    expect(mapSet.mock.calls.length).toBeLessThan(3 * month.length);
    jest.restoreAllMocks();
    expect(month.length).toBeGreaterThan(250_000);
    // Turned off: prt_200, prt_100 and prt_0 (the two later ones twice).
    expect(full.monitoring.size).toBe(297);
    expect(full.claimedSlots.get('prt_2')).toBe(at(2_879 * 15));
  });

  it('a fold resumed from a snapshot (through JSON) equals the full fold and decides the same', () => {
    const codec = decider.snapshot;
    if (!codec) throw new Error('the tenant testing stream must have a snapshot codec');
    const full = foldEvents(decider, month);
    for (const cut of [0, 123_457, month.length]) {
      const restored = codec.fromJson(JSON.parse(JSON.stringify(codec.toJson(foldEvents(decider, month.slice(0, cut))))));
      const resumed = month.slice(cut).reduce(decider.evolve, restored);
      expect(comparable(resumed)).toEqual(comparable(full));
      for (const command of [reserve('x', 2_880 * 15 + 1, 'free'), reserve('y', 2_880 * 15, 'free', { trigger: 'monitoring', monitoringSlot: at(2_880 * 15), partnerId: 'prt_2' })]) {
        const decided = (state: TenantTestingState) => {
          try {
            return decider.decide(command, state);
          } catch (error) {
            return (error as DomainError).code;
          }
        };
        expect(decided(resumed)).toEqual(decided(full));
      }
    }
  });

  it('keeps the latest manual tests of the hour, no more than any plan counts', () => {
    const burst = Array.from({ length: MANUAL_TESTS_KEPT + 500 }, (_, i) => reserved(`b${i}`, 'prt_1', i / 100, null));
    const state = foldEvents(decider, burst);
    expect(state.manualTests).toHaveLength(MANUAL_TESTS_KEPT);
    expect(state.manualTests.at(-1)?.testId).toBe(`b${MANUAL_TESTS_KEPT + 499}`);
    // Professional (200 an hour) still refuses, with the same answer as before: the limit is far below what is kept.
    expect(errorOf(() => decider.decide(reserve('z', 15, 'professional'), state)).code).toBe('TEST_RATE_LIMIT_EXCEEDED');
  });
});
