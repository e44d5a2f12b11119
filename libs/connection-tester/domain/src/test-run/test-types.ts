export const TEST_TYPES = ['ping', 'mdn', 'full'] as const;
export type TestType = (typeof TEST_TYPES)[number];

/** Who started a test: a person through the API (counted against the plan), or the monitoring schedule. */
export type TestTrigger = 'manual' | 'monitoring';

export type StepStatus = 'success' | 'warning' | 'failure';

/** One step of seed 002's timeline. */
export interface TimelineStep {
  readonly step: string;
  readonly status: StepStatus;
  readonly durationMs: number;
  readonly details: string;
}

export type TestOutcome = 'success' | 'failure';

/** A test succeeds when no step failed (warnings, such as a certificate expiring soon, do not fail it). */
export function outcomeOf(timeline: readonly TimelineStep[]): TestOutcome {
  return timeline.some((step) => step.status === 'failure') ? 'failure' : 'success';
}
