import { assertNever, PersistentMap, type Decider, type SnapshotCodec } from '@as2-partners/kernel';
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

/**
 * One tenant's stream takes an event per test, manual or scheduled, for as long as it exists (100 partners monitored
 * every 15 minutes: ~10,000 a day): the maps are persistent (O(1) per event) and the state is snapshotted.
 */
export interface TenantTestingState {
  /**
   * Manual tests of the last hour before the latest reservation (older ones can never count again), the latest
   * MANUAL_TESTS_KEPT at most: no plan's hourly limit is higher, so none counts differently.
   */
  readonly manualTests: readonly { readonly testId: string; readonly at: number }[];
  readonly monitoring: PersistentMap<string, MonitoringSetting>;
  /** The last schedule slot claimed per monitored partner. */
  readonly claimedSlots: PersistentMap<string, string>;
}

/** Above every finite `testsPerHour` of the plans (200): an unlimited plan's hour of tests is not all kept. */
export const MANUAL_TESTS_KEPT = 1_000;

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
        if (event.data.monitoringSlot === null) return state;
        return { ...state, claimedSlots: state.claimedSlots.set(event.data.partnerId, event.data.monitoringSlot) };
      }
      const manualTests = [...state.manualTests.filter((test) => test.at > at - TEST_RATE_WINDOW_MS).slice(-(MANUAL_TESTS_KEPT - 1)), { testId: event.data.testId, at }];
      return { ...state, manualTests };
    }
    case 'connection.monitoring_configured.v1': {
      const monitoring = event.data.enabled
        ? state.monitoring.set(event.data.partnerId, { testType: event.data.testType, intervalMinutes: event.data.intervalMinutes })
        : state.monitoring.delete(event.data.partnerId);
      return { ...state, monitoring };
    }
    default:
      return assertNever(event);
  }
}

interface TenantTestingJson {
  readonly manualTests: TenantTestingState['manualTests'];
  readonly monitoring: [string, MonitoringSetting][];
  readonly claimedSlots: [string, string][];
}

/** Small (a setting and a slot per monitored partner, an hour of manual tests): plain JSON. */
const snapshotCodec: SnapshotCodec<TenantTestingState> = {
  name: 'tenant_testing.v1',
  every: 1_000,
  toJson: (state): TenantTestingJson => ({ manualTests: state.manualTests, monitoring: [...state.monitoring.entries()], claimedSlots: [...state.claimedSlots.entries()] }),
  fromJson: (json) => {
    const { manualTests, monitoring, claimedSlots } = json as TenantTestingJson;
    return { manualTests, monitoring: PersistentMap.of(monitoring), claimedSlots: PersistentMap.of(claimedSlots) };
  },
};

/** One tenant's testing: the hourly manual-test limit, the monitored partners and their claimed schedule slots. */
export const tenantTestingDecider: Decider<TenantTestingCommand, TenantTestingState, TenantTestingEvent> = {
  initialState: () => ({ manualTests: [], monitoring: PersistentMap.empty(), claimedSlots: PersistentMap.empty() }),
  decide,
  evolve,
  snapshot: snapshotCodec,
};
