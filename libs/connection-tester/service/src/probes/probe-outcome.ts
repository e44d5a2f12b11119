import type { TimelineStep } from '@as2-partners/connection-tester-domain';

export type ResultValue = string | number | boolean | null;

/** What a run found: seed 002's `results` object and its timeline. */
export interface ProbeOutcome {
  readonly results: Record<string, ResultValue>;
  readonly timeline: readonly TimelineStep[];
}
