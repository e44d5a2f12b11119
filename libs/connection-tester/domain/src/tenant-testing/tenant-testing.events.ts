import type { TestTrigger, TestType } from '../test-run/test-types';

type Evt<T extends string, D> = { readonly type: T; readonly data: D };

/** A test was let through the tenant's limits (written before it runs, so concurrent requests see it). */
export type TestReserved = Evt<
  'connection.test_reserved.v1',
  {
    readonly testId: string;
    readonly account: string;
    readonly tenant: string;
    readonly partnerId: string;
    readonly testType: TestType;
    readonly trigger: TestTrigger;
    /** The schedule slot (ISO instant) a monitoring run claimed; null for manual tests. */
    readonly monitoringSlot: string | null;
    readonly reservedAt: string;
  }
>;

export type MonitoringConfigured = Evt<
  'connection.monitoring_configured.v1',
  {
    readonly partnerId: string;
    readonly account: string;
    readonly tenant: string;
    readonly enabled: boolean;
    readonly testType: TestType;
    readonly intervalMinutes: number;
    readonly configuredAt: string;
  }
>;

export type TenantTestingEvent = TestReserved | MonitoringConfigured;

export const TENANT_TESTING_EVENT_TYPES = ['connection.test_reserved.v1', 'connection.monitoring_configured.v1'] as const satisfies readonly TenantTestingEvent['type'][];
