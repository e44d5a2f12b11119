import { assertNever, type Decider } from '@as2-partners/kernel';
import { monitoringLimitExceeded, TEST_RATE_WINDOW_MS, testRateLimitExceeded } from '../connection-tester.errors';
import type { TestTrigger, TestType } from '../test-run/test-types';
import type { TenantTestingEvent } from './tenant-testing.events';
import type { TestPlan } from './test-plans';

export type TenantTestingCommand =
  | {
      readonly type: 'reserve_test';
      readonly testId: string;
      readonly account: string;
      readonly tenant: string;
      readonly partnerId: string;
      readonly testType: TestType;
      readonly trigger: TestTrigger;
      /** Monitoring runs name the slot they run for: only the first claim of a slot runs (one run across replicas). */
      readonly monitoringSlot?: string;
      readonly plan: TestPlan;
      readonly now: string;
    }
  | {
      readonly type: 'configure_monitoring';
      readonly account: string;
      readonly tenant: string;
      readonly partnerId: string;
      readonly enabled: boolean;
      readonly testType: TestType;
      readonly intervalMinutes: number;
      readonly plan: TestPlan;
      readonly now: string;
    };

export interface MonitoringSetting {
  readonly testType: TestType;
  readonly intervalMinutes: number;
}

export interface TenantTestingState {
  /** Manual tests of the last hour before the latest reservation (older ones can never count again). */
  readonly manualTests: readonly { readonly testId: string; readonly at: number }[];
  readonly monitoring: ReadonlyMap<string, MonitoringSetting>;
  /** The last schedule slot claimed per monitored partner. */
  readonly claimedSlots: ReadonlyMap<string, string>;
}

function reserve(command: Extract<TenantTestingCommand, { type: 'reserve_test' }>, state: TenantTestingState): TenantTestingEvent[] {
  const now = Date.parse(command.now);
  if (command.trigger === 'monitoring') {
    const slot = command.monitoringSlot;
    if (slot === undefined || !state.monitoring.has(command.partnerId)) return [];
    const last = state.claimedSlots.get(command.partnerId);
    if (last !== undefined && Date.parse(last) >= Date.parse(slot)) return [];
  } else {
    const inWindow = state.manualTests.filter((test) => test.at > now - TEST_RATE_WINDOW_MS);
    const limit = command.plan.testsPerHour;
    if (limit !== null && inWindow.length >= limit) {
      const oldest = Math.min(...inWindow.map((test) => test.at));
      const retryAfterSeconds = Math.max(1, Math.ceil((oldest + TEST_RATE_WINDOW_MS - now) / 1000));
      throw testRateLimitExceeded(inWindow.length, limit, command.plan.plan, retryAfterSeconds);
    }
  }
  return [
    {
      type: 'connection.test_reserved.v1',
      data: {
        testId: command.testId,
        account: command.account,
        tenant: command.tenant,
        partnerId: command.partnerId,
        testType: command.testType,
        trigger: command.trigger,
        monitoringSlot: command.trigger === 'monitoring' ? (command.monitoringSlot ?? null) : null,
        reservedAt: command.now,
      },
    },
  ];
}

function configure(command: Extract<TenantTestingCommand, { type: 'configure_monitoring' }>, state: TenantTestingState): TenantTestingEvent[] {
  const current = state.monitoring.get(command.partnerId);
  if (!command.enabled && !current) return [];
  if (command.enabled && current?.testType === command.testType && current.intervalMinutes === command.intervalMinutes) return [];
  const limit = command.plan.monitoredPartners;
  if (command.enabled && !current && limit !== null && state.monitoring.size >= limit) {
    throw monitoringLimitExceeded(state.monitoring.size + 1, limit, command.plan.plan);
  }
  return [
    {
      type: 'connection.monitoring_configured.v1',
      data: {
        partnerId: command.partnerId,
        account: command.account,
        tenant: command.tenant,
        enabled: command.enabled,
        // Turning off records the setting that stops (the request need not repeat it).
        testType: command.enabled || !current ? command.testType : current.testType,
        intervalMinutes: command.enabled || !current ? command.intervalMinutes : current.intervalMinutes,
        configuredAt: command.now,
      },
    },
  ];
}

function decide(command: TenantTestingCommand, state: TenantTestingState): TenantTestingEvent[] {
  switch (command.type) {
    case 'reserve_test':
      return reserve(command, state);
    case 'configure_monitoring':
      return configure(command, state);
    default:
      return assertNever(command);
  }
}

function evolve(state: TenantTestingState, event: TenantTestingEvent): TenantTestingState {
  switch (event.type) {
    case 'connection.test_reserved.v1': {
      const at = Date.parse(event.data.reservedAt);
      if (event.data.trigger === 'monitoring') {
        const claimedSlots = new Map(state.claimedSlots);
        if (event.data.monitoringSlot !== null) claimedSlots.set(event.data.partnerId, event.data.monitoringSlot);
        return { ...state, claimedSlots };
      }
      const manualTests = [...state.manualTests.filter((test) => test.at > at - TEST_RATE_WINDOW_MS), { testId: event.data.testId, at }];
      return { ...state, manualTests };
    }
    case 'connection.monitoring_configured.v1': {
      const monitoring = new Map(state.monitoring);
      if (event.data.enabled) monitoring.set(event.data.partnerId, { testType: event.data.testType, intervalMinutes: event.data.intervalMinutes });
      else monitoring.delete(event.data.partnerId);
      return { ...state, monitoring };
    }
    default:
      return assertNever(event);
  }
}

/** One tenant's testing: the hourly manual-test limit, the monitored partners and their claimed schedule slots. */
export const tenantTestingDecider: Decider<TenantTestingCommand, TenantTestingState, TenantTestingEvent> = {
  initialState: () => ({ manualTests: [], monitoring: new Map(), claimedSlots: new Map() }),
  decide,
  evolve,
};
