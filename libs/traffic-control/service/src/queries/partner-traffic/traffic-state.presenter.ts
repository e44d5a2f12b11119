import { directionsOf, windowCovering, type DirectionPause, type TrafficDirection, type TrafficScope, type TrafficWindow } from '@as2-partners/traffic-control-domain';
import { toApiTimestamp } from '@as2-partners/platform';
import type { PartnerTrafficDocument } from './partner-traffic.document';

const ts = (iso: string | null | undefined) => (iso ? toApiTimestamp(iso) : null);

/** `level`: whose window it is, the tenant's own or the account's on an inherited master partner. */
export function presentWindow(window: TrafficWindow, now: number, level: TrafficScope) {
  return {
    id: window.windowId,
    level,
    direction: window.direction,
    starts_at: ts(window.startsAt),
    ends_at: ts(window.endsAt),
    response: window.response,
    reason: window.reason,
    status: Date.parse(window.startsAt) <= now && now < Date.parse(window.endsAt) ? 'active' : 'scheduled',
    scheduled_by: window.scheduledBy,
  };
}

function presentPause(pause: DirectionPause | null, now: number) {
  if (!pause || (pause.until !== null && Date.parse(pause.until) <= now)) return null;
  return {
    response: pause.response,
    reason: pause.reason,
    since: ts(pause.since),
    until: ts(pause.until),
    retry_after_seconds: pause.retryAfterSeconds,
    paused_by: pause.pausedBy,
  };
}

/**
 * One direction as it stands now: paused if the account's pause, the tenant's pause or a running window says so
 * (in the decisions' precedence), with what pauses it and each level on its own.
 */
function presentDirection(direction: TrafficDirection, own: PartnerTrafficDocument | null, account: PartnerTrafficDocument | null, now: number) {
  const accountPause = presentPause(account?.pauses[direction] ?? null, now);
  const ownPause = presentPause(own?.pauses[direction] ?? null, now);
  const accountWindow = account ? windowCovering(account.windows, direction, now) : null;
  const ownWindow = own ? windowCovering(own.windows, direction, now) : null;
  const window = accountWindow ?? ownWindow;
  const level = accountPause ? 'account' : ownPause ? (own?.scope ?? 'tenant') : accountWindow ? 'account_window' : ownWindow ? 'window' : null;
  const effective = accountPause ?? ownPause;
  return {
    paused: level !== null,
    paused_by_level: level,
    response: direction === 'incoming' ? (effective?.response ?? window?.response ?? null) : null,
    reason: effective?.reason ?? window?.reason ?? null,
    since: effective?.since ?? ts(window?.startsAt) ?? null,
    until: effective ? effective.until : ts(window?.endsAt),
    retry_after_seconds: effective?.retry_after_seconds ?? null,
    paused_by: effective?.paused_by ?? window?.scheduledBy ?? null,
    active_window: window ? presentWindow(window, now, accountWindow ? 'account' : (own?.scope ?? 'tenant')) : null,
    pause: ownPause,
    ...(account && own !== account ? { account_pause: accountPause } : {}),
  };
}

/** A scheduled change of one scope: an `until` resumes, a window pauses at its start and resumes at its end. */
interface ScheduledChange {
  readonly at: string;
  readonly direction: TrafficDirection | 'both';
  readonly change: 'pause' | 'resume';
  readonly window_id: string | null;
  readonly level: 'tenant' | 'account';
}

/**
 * Whether `direction` is still paused at `at` by something else than what ends then (`ending`: a window's id, or the
 * scope whose pause runs out): a pause of either level, or another running window of either level.
 */
function pausedOtherwise(docs: readonly PartnerTrafficDocument[], direction: TrafficDirection, at: number, ending: { windowId: string } | { pauseOf: PartnerTrafficDocument }): boolean {
  return docs.some((doc) => {
    const pause = doc.pauses[direction];
    const pauseHolds = pause !== null && !('pauseOf' in ending && ending.pauseOf === doc) && (pause.until === null || Date.parse(pause.until) > at);
    const others = 'windowId' in ending ? doc.windows.filter((w) => w.windowId !== ending.windowId) : doc.windows;
    return pauseHolds || windowCovering(others, direction, at) !== null;
  });
}

/** The directions of `directions` that resume at `at`, as a change names them; null when none does (another pause holds them). */
function resuming(directions: readonly TrafficDirection[], stillPaused: (direction: TrafficDirection) => boolean): TrafficDirection | 'both' | null {
  const [first, second] = directions.filter((direction) => !stillPaused(direction));
  return second ? 'both' : (first ?? null);
}

function scheduledChanges(doc: PartnerTrafficDocument, docs: readonly PartnerTrafficDocument[], now: number): ScheduledChange[] {
  const changes: ScheduledChange[] = [];
  for (const direction of ['incoming', 'outgoing'] as const) {
    const until = doc.pauses[direction]?.until;
    if (!until || Date.parse(until) <= now || pausedOtherwise(docs, direction, Date.parse(until), { pauseOf: doc })) continue;
    changes.push({ at: until, direction, change: 'resume', window_id: null, level: doc.scope });
  }
  for (const window of doc.windows) {
    if (Date.parse(window.endsAt) <= now) continue;
    // Started is running, whether it holds a direction on the record or another window that started later does.
    if (Date.parse(window.startsAt) > now) {
      changes.push({ at: window.startsAt, direction: window.direction, change: 'pause', window_id: window.windowId, level: doc.scope });
      continue;
    }
    // A running window's end resumes only what nothing else pauses then (another window, a pause of either level).
    const direction = resuming(directionsOf(window.direction), (d) => pausedOtherwise(docs, d, Date.parse(window.endsAt), { windowId: window.windowId }));
    if (direction) changes.push({ at: window.endsAt, direction, change: 'resume', window_id: window.windowId, level: doc.scope });
  }
  return changes;
}

/** The earliest scheduled change of the caller's scope and the account's: when, which direction, pause or resume, and why. */
function nextChange(docs: (PartnerTrafficDocument | null)[], now: number) {
  const present = [...new Set(docs)].filter((doc): doc is PartnerTrafficDocument => doc !== null);
  const changes = present.flatMap((doc) => scheduledChanges(doc, present, now));
  const next = changes.sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
  return next ? { ...next, at: ts(next.at) } : null;
}

/** `GET /v1/partners/{id}/traffic`: `own` is the caller's scope, `account` the account's pause of a master partner (if any). */
export function presentTrafficState(partnerId: string, own: PartnerTrafficDocument | null, account: PartnerTrafficDocument | null, now: number) {
  return {
    partner_id: partnerId,
    incoming: presentDirection('incoming', own, account, now),
    outgoing: presentDirection('outgoing', own, account, now),
    windows: presentWindows(own, account, now),
    next_change: nextChange([own, account], now),
  };
}

/** The windows not yet over of the caller's scope and, on an inherited master partner, the account's, by start, each with its level. */
export function presentWindows(own: PartnerTrafficDocument | null, account: PartnerTrafficDocument | null, now: number) {
  const levels: [PartnerTrafficDocument | null, TrafficScope][] = [[own, own?.scope ?? 'tenant'], ...(account && account !== own ? [[account, 'account'] as [PartnerTrafficDocument, TrafficScope]] : [])];
  return levels
    .flatMap(([doc, level]) => (doc?.windows ?? []).filter((w) => Date.parse(w.endsAt) > now).map((w) => presentWindow(w, now, level)))
    .sort((a, b) => Date.parse(a.starts_at ?? '') - Date.parse(b.starts_at ?? ''));
}
