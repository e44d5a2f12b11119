import type { TrafficWindow } from './partner-traffic.state';
import { directionsOf, type TrafficDirection } from './traffic-modes';

const ms = (iso: string) => Date.parse(iso);

/** The window that pauses `direction` at `now`: among those covering it, the one that started last (its response wins). */
export function windowCovering(windows: readonly TrafficWindow[], direction: TrafficDirection, now: number): TrafficWindow | null {
  let found: TrafficWindow | null = null;
  for (const window of windows) {
    if (!directionsOf(window.direction).includes(direction)) continue;
    if (ms(window.startsAt) > now || ms(window.endsAt) <= now) continue;
    if (!found || ms(window.startsAt) >= ms(found.startsAt)) found = window;
  }
  return found;
}

/**
 * Windows that would answer incoming messages otherwise than `candidate` at some instant of [startsAt, endsAt): both
 * pause incoming traffic (`incoming` or `both`), with another response, and overlap it (touching is no overlap).
 */
export function windowsAnsweringOtherwise(windows: readonly TrafficWindow[], candidate: Pick<TrafficWindow, 'direction' | 'startsAt' | 'endsAt' | 'response'>): TrafficWindow[] {
  if (!directionsOf(candidate.direction).includes('incoming')) return [];
  const [start, end] = [ms(candidate.startsAt), ms(candidate.endsAt)];
  return windows.filter((window) => directionsOf(window.direction).includes('incoming') && window.response !== candidate.response && ms(window.startsAt) < end && start < ms(window.endsAt));
}

/** Windows of the same direction and response that overlap or touch [startsAt, endsAt): they merge into one. */
export function windowsMergingWith(windows: readonly TrafficWindow[], candidate: Pick<TrafficWindow, 'direction' | 'startsAt' | 'endsAt' | 'response'>): TrafficWindow[] {
  let start = ms(candidate.startsAt);
  let end = ms(candidate.endsAt);
  const merged = new Set<TrafficWindow>();
  // Repeat until stable: extending the span may reach another window.
  for (let grew = true; grew; ) {
    grew = false;
    for (const window of windows) {
      if (merged.has(window) || window.direction !== candidate.direction || window.response !== candidate.response) continue;
      if (ms(window.startsAt) <= end && start <= ms(window.endsAt)) {
        merged.add(window);
        start = Math.min(start, ms(window.startsAt));
        end = Math.max(end, ms(window.endsAt));
        grew = true;
      }
    }
  }
  return [...merged];
}
