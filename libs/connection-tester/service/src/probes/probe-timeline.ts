import type { StepStatus, TimelineStep } from '@as2-partners/connection-tester-domain';

/** Records seed 002's timeline: each step with its status, measured duration and operator-grade details. */
export class ProbeTimeline {
  readonly steps: TimelineStep[] = [];
  private readonly startedAt = performance.now();

  record(step: string, status: StepStatus, startedAt: number, details: string): StepStatus {
    this.steps.push({ step, status, durationMs: Math.max(0, Math.round(performance.now() - startedAt)), details });
    return status;
  }

  get failed(): boolean {
    return this.steps.some((step) => step.status === 'failure');
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.startedAt);
  }
}

/** A point in time for `record`'s `startedAt`. */
export const stepStart = (): number => performance.now();
