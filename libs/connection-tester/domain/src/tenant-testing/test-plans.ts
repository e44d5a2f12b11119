/** Seed 002 "Testing Frequency": manual tests per hour per tenant; null is unlimited. Unknown plans are billed as free. */
const TESTS_PER_HOUR: Readonly<Record<string, number | null>> = { free: 10, starter: 50, professional: 200, enterprise: null };

/** Partners a tenant may monitor continuously (the schedule has its own cap, apart from manual tests). */
const MONITORED_PARTNERS: Readonly<Record<string, number | null>> = { free: 1, starter: 5, professional: 25, enterprise: null };

export const DEFAULT_TEST_PLAN = 'free';

export interface TestPlan {
  readonly plan: string;
  readonly testsPerHour: number | null;
  readonly monitoredPartners: number | null;
}

export function testPlanOf(plan: string | undefined): TestPlan {
  const known = plan !== undefined && plan in TESTS_PER_HOUR ? plan : DEFAULT_TEST_PLAN;
  return { plan: known, testsPerHour: TESTS_PER_HOUR[known] ?? null, monitoredPartners: MONITORED_PARTNERS[known] ?? null };
}

export const MIN_MONITORING_INTERVAL_MINUTES = 15;
export const MAX_MONITORING_INTERVAL_MINUTES = 10_080;
