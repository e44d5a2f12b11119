/**
 * One budget of time for the steps of a shutdown that each may wait for Kafka (every consumer group's leave, then the
 * bus's close): they come one after another, each giving up on a broker that answers nothing, and together may take
 * `totalMs`, not `totalMs` each. A step long after the last (more than `totalMs` after its budget ran out) gets all of
 * it anew; none gets less than `minStepMs`.
 */
export class StopBudget {
  private until = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly totalMs: number,
    private readonly minStepMs: number,
  ) {}

  /** How long the step starting `now` may wait. */
  stepMs(now: number = Date.now()): number {
    if (now > this.until + this.totalMs) this.until = now + this.totalMs;
    return Math.max(this.minStepMs, this.until - now);
  }
}
