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

/** Whether anything of either level pauses `direction` at the instant `at`: a pause not yet over, or a running window. */
function pausedAt(docs: readonly PartnerTrafficDocument[], direction: TrafficDirection, at: number): boolean {
  return docs.some((doc) => {
    const pause = doc.pauses[direction];
    return (pause !== null && (pause.until === null || Date.parse(pause.until) > at)) || windowCovering(doc.windows, direction, at) !== null;
  });
}

/** An instant something is scheduled for: a pause's until, a window's start or end, with the directions it touches. */
interface Boundary {
  readonly at: string;
  readonly directions: readonly TrafficDirection[];
  readonly window_id: string | null;
  readonly level: 'tenant' | 'account';
}

function boundariesOf(doc: PartnerTrafficDocument): Boundary[] {
  const boundaries: Boundary[] = [];
  for (const direction of ['incoming', 'outgoing'] as const) {
    const until = doc.pauses[direction]?.until;
    if (until) boundaries.push({ at: until, directions: [direction], window_id: null, level: doc.scope });
  }
  for (const window of doc.windows) {
    for (const at of [window.startsAt, window.endsAt]) boundaries.push({ at, directions: directionsOf(window.direction), window_id: window.windowId, level: doc.scope });
  }
  return boundaries;
}

/**
 * The earliest scheduled instant at which a direction's traffic really changes, pausing or resuming, as the scheduler
 * will apply it: a boundary under another pause or window of either level (a window starting while the direction is
 * paused anyway, one ending while another still runs) changes nothing and is passed over; `direction` names only the
 * directions that change then (`both` when both do).
 */
function nextChange(docs: (PartnerTrafficDocument | null)[], now: number) {
  const present = [...new Set(docs)].filter((doc): doc is PartnerTrafficDocument => doc !== null);
  const boundaries = present.flatMap(boundariesOf).filter((boundary) => Date.parse(boundary.at) > now);
  for (const boundary of boundaries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
    const at = Date.parse(boundary.at);
    const flips = boundary.directions.flatMap((direction) => {
      const before = pausedAt(present, direction, at - 1);
      const after = pausedAt(present, direction, at);
      return before === after ? [] : [{ direction, change: after ? ('pause' as const) : ('resume' as const) }];
    });
    const [first] = flips;
    if (!first) continue;
    const same = flips.filter((flip) => flip.change === first.change);
    const change: ScheduledChange = { at: boundary.at, direction: same.length === 2 ? 'both' : first.direction, change: first.change, window_id: boundary.window_id, level: boundary.level };
    return { ...change, at: ts(change.at) };
  }
  return null;
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
