/** The only source of "now" for application code, so tests and replays control time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const CLOCK = Symbol('Clock');

/**
 * The time a new version of something is stamped with: `now`, unless the version it replaces was stamped later (a
 * command decided again after a concurrent write, with the time taken when it arrived; another process's clock), so
 * `updated_at` never goes back from one version to the next. Both ISO 8601 instants.
 */
export function stampedNotBefore(now: string, previous: string): string {
  return Date.parse(previous) > Date.parse(now) ? previous : now;
}
