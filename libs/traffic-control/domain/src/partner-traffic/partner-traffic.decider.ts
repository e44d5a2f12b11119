import { assertNever, DomainError, type Decider } from '@as2-partners/kernel';
import { TrafficControlErrorCode as Code } from '../traffic-control.errors';
import type { PartnerTrafficEvent, TrafficPaused, TrafficRef, TrafficResumed } from './partner-traffic.events';
import { emptyPartnerTraffic, type DirectionPause, type PartnerTrafficState, type TrafficWindow } from './partner-traffic.state';
import { windowCovering, windowsAnsweringOtherwise, windowsMergingWith } from './traffic-windows';
import { TRAFFIC_DIRECTIONS, directionsOf, type IncomingResponse, type TrafficDirection, type WindowDirection } from './traffic-modes';

/** At most this many windows wait on one partner stream (keeps the state and the scheduler's work bounded). */
export const MAX_WINDOWS_PER_PARTNER = 50;

export type PartnerTrafficCommand =
  | {
      readonly type: 'pause';
      readonly ref: TrafficRef;
      readonly direction: TrafficDirection;
      readonly response: IncomingResponse | null;
      readonly reason: string;
      readonly until: string | null;
      readonly retryAfterSeconds: number | null;
      readonly actor: string;
      readonly now: string;
    }
  | { readonly type: 'resume'; readonly ref: TrafficRef; readonly direction: TrafficDirection; readonly reason?: string; readonly actor: string; readonly now: string }
  | {
      readonly type: 'schedule_window';
      readonly ref: TrafficRef;
      readonly windowId: string;
      readonly direction: WindowDirection;
      readonly startsAt: string;
      readonly endsAt: string;
      readonly response: IncomingResponse | null;
      readonly reason: string;
      readonly actor: string;
      readonly now: string;
    }
  | { readonly type: 'cancel_window'; readonly ref: TrafficRef; readonly windowId: string; readonly actor: string; readonly now: string }
  /** The scheduler: ends pauses whose `until` passed, starts and ends windows. Decides nothing when nothing is due. */
  | { readonly type: 'apply_due'; readonly actor: string; readonly now: string };

const ms = (iso: string) => Date.parse(iso);

function samePause(pause: DirectionPause | null, command: Extract<PartnerTrafficCommand, { type: 'pause' }>): boolean {
  return (
    pause !== null &&
    pause.response === command.response &&
    pause.reason === command.reason &&
    pause.until === command.until &&
    pause.retryAfterSeconds === command.retryAfterSeconds
  );
}

function decidePause(command: Extract<PartnerTrafficCommand, { type: 'pause' }>, state: PartnerTrafficState): PartnerTrafficEvent[] {
  if (command.direction === 'incoming' && command.response === null) {
    throw new DomainError(Code.InvalidTrafficSetting, 'An incoming pause needs a response mode', 'response');
  }
  if (command.direction === 'outgoing' && command.response !== null) {
    throw new DomainError(Code.InvalidTrafficSetting, 'An outgoing pause takes no response mode', 'response');
  }
  if (command.retryAfterSeconds !== null && command.response !== 'http_503_retry') {
    throw new DomainError(Code.InvalidTrafficSetting, 'retry_after_seconds applies only to the http_503_retry response', 'retry_after_seconds');
  }
  if (command.until !== null && ms(command.until) <= ms(command.now)) {
    throw new DomainError(Code.UntilInPast, 'The until time must be in the future (UTC)', 'until');
  }
  // Pausing again with the same settings changes nothing: a repeated PUT appends no event.
  if (samePause(state.pauses[command.direction], command)) return [];
  return [
    {
      type: 'traffic.paused.v1',
      data: {
        ...command.ref,
        direction: command.direction,
        response: command.response,
        reason: command.reason,
        until: command.until,
        retryAfterSeconds: command.retryAfterSeconds,
        windowId: null,
        pausedBy: command.actor,
        pausedAt: command.now,
      },
    },
  ];
}

/** `stillPaused`: another pause of this stream (the operator's or a window's) holds the direction after this one ends. */
function resumed(ref: TrafficRef, direction: TrafficDirection, trigger: TrafficResumed['data']['trigger'], windowId: string | null, by: string, at: string, stillPaused: boolean): TrafficResumed {
  return { type: 'traffic.resumed.v1', data: { ...ref, direction, trigger, windowId, resumedBy: by, resumedAt: at, stillPaused } };
}

function operatorResumed(command: Extract<PartnerTrafficCommand, { type: 'resume' }>, state: PartnerTrafficState): TrafficResumed {
  const event = resumed(command.ref, command.direction, 'operator', null, command.actor, command.now, state.activeWindows[command.direction] !== null);
  return command.reason === undefined ? event : { ...event, data: { ...event.data, reason: command.reason } };
}

function windowPaused(ref: TrafficRef, direction: TrafficDirection, window: TrafficWindow, by: string, at: string): TrafficPaused {
  return {
    type: 'traffic.paused.v1',
    data: {
      ...ref,
      direction,
      response: direction === 'incoming' ? window.response : null,
      reason: window.reason,
      until: window.endsAt,
      retryAfterSeconds: null,
      windowId: window.windowId,
      pausedBy: by,
      pausedAt: at,
    },
  };
}

function decideScheduleWindow(command: Extract<PartnerTrafficCommand, { type: 'schedule_window' }>, state: PartnerTrafficState): PartnerTrafficEvent[] {
  const starts = ms(command.startsAt);
  const ends = ms(command.endsAt);
  if (ends <= starts) throw new DomainError(Code.InvalidWindow, 'ends_at must be after starts_at', 'ends_at');
  if (starts < ms(command.now)) throw new DomainError(Code.WindowInPast, 'A maintenance window must start in the future (UTC)', 'starts_at');
  if (command.direction !== 'outgoing' && command.response === null) {
    throw new DomainError(Code.InvalidTrafficSetting, 'A window that pauses incoming traffic needs a response mode', 'response');
  }
  // As for an outgoing pause: a response mode sent with it would be silently dropped.
  if (command.direction === 'outgoing' && command.response !== null) {
    throw new DomainError(Code.InvalidTrafficSetting, 'An outgoing window takes no response mode', 'response');
  }
  const response = command.direction === 'outgoing' ? null : command.response;
  const merged = windowsMergingWith(state.windows, { ...command, response });
  const startsAt = new Date(Math.min(starts, ...merged.map((w) => ms(w.startsAt)))).toISOString();
  const endsAt = new Date(Math.max(ends, ...merged.map((w) => ms(w.endsAt)))).toISOString();
  // Windows merge only when they answer alike. One that answers incoming messages otherwise at any instant of the span
  // (of its direction or of `both`) is refused: it would change a running window's answer at once (the window that
  // started last answers), a 503 the senders retry turned into a final 422. Back to back, they stay apart.
  const otherResponse = windowsAnsweringOtherwise(state.windows, { direction: command.direction, startsAt, endsAt, response });
  if (otherResponse.length > 0) {
    const named = otherResponse.map((w) => `${w.windowId} (${w.response}, ${w.startsAt} to ${w.endsAt})`).join(', ');
    throw new DomainError(Code.WindowOverlap, `The window overlaps ${named}, which answers otherwise: cancel it first, or give the same response to merge with it`, 'starts_at', {
      window_ids: otherResponse.map((w) => w.windowId),
    });
  }
  if (state.windows.length - merged.length + 1 > MAX_WINDOWS_PER_PARTNER) {
    throw new DomainError(Code.WindowLimitExceeded, `At most ${MAX_WINDOWS_PER_PARTNER} maintenance windows may wait for one partner`);
  }
  const window: TrafficWindow = { windowId: command.windowId, direction: command.direction, startsAt, endsAt, response, reason: command.reason, scheduledBy: command.actor };
  // A running window merged into the new one goes on under the new id, with its response, reason and end: announced as
  // that window's pause, so whoever follows the pauses (the gateway, the partner details) holds the new settings and
  // knows the resume that will name the new id.
  const mergedIds = new Set(merged.map((w) => w.windowId));
  const runningOn = TRAFFIC_DIRECTIONS.filter((direction) => mergedIds.has(state.activeWindows[direction] ?? ''));
  return [
    {
      type: 'traffic.window_scheduled.v1',
      data: {
        ...command.ref,
        windowId: command.windowId,
        direction: command.direction,
        startsAt,
        endsAt,
        response,
        reason: command.reason,
        mergedWindowIds: merged.map((w) => w.windowId),
        scheduledBy: command.actor,
        scheduledAt: command.now,
      },
    },
    ...runningOn.map((direction) => windowPaused(command.ref, direction, window, command.actor, command.now)),
  ];
}

function decideCancelWindow(command: Extract<PartnerTrafficCommand, { type: 'cancel_window' }>, state: PartnerTrafficState): PartnerTrafficEvent[] {
  const window = state.windows.find((w) => w.windowId === command.windowId);
  if (!window) throw new DomainError(Code.WindowNotFound, 'No scheduled maintenance window with this id');
  const events: PartnerTrafficEvent[] = [];
  // A running window ends now: its directions resume, unless another window covers them now, which then holds them
  // (announced as that window's pause, with its response: no resume, so the gateway releases nothing it holds).
  const others = state.windows.filter((w) => w.windowId !== window.windowId);
  for (const direction of TRAFFIC_DIRECTIONS) {
    if (state.activeWindows[direction] !== window.windowId) continue;
    const covering = windowCovering(others, direction, ms(command.now));
    if (covering) events.push(windowPaused(command.ref, direction, covering, command.actor, command.now));
    else events.push(resumed(command.ref, direction, 'operator', window.windowId, command.actor, command.now, state.pauses[direction] !== null));
  }
  events.push({
    type: 'traffic.window_cancelled.v1',
    data: { ...command.ref, windowId: window.windowId, cause: 'operator', cancelledBy: command.actor, cancelledAt: command.now },
  });
  return events;
}

function decideDue(command: Extract<PartnerTrafficCommand, { type: 'apply_due' }>, state: PartnerTrafficState): PartnerTrafficEvent[] {
  const ref = state.ref;
  if (!ref) return [];
  const now = ms(command.now);
  const events: PartnerTrafficEvent[] = [];
  for (const direction of TRAFFIC_DIRECTIONS) {
    const pause = state.pauses[direction];
    const pauseEnds = pause?.until !== undefined && pause.until !== null && ms(pause.until) <= now;
    const covering = windowCovering(state.windows, direction, now);
    const recorded = state.activeWindows[direction];
    // The pause's end first, then the window's: each says whether the other still holds the direction after it.
    if (pauseEnds) events.push(resumed(ref, direction, 'until', null, command.actor, command.now, covering !== null));
    if (covering && covering.windowId !== recorded) events.push(windowPaused(ref, direction, covering, command.actor, command.now));
    else if (!covering && recorded) events.push(resumed(ref, direction, 'window_end', recorded, command.actor, command.now, pause !== null && !pauseEnds));
  }
  const recordedIds = new Set(Object.values(state.activeWindows));
  const started = new Set(events.flatMap((e) => (e.type === 'traffic.paused.v1' && e.data.windowId ? [e.data.windowId] : [])));
  for (const window of state.windows) {
    // A window that began and ended while no scheduler ran never paused anything: it is closed, not replayed late.
    if (ms(window.endsAt) <= now && !recordedIds.has(window.windowId) && !started.has(window.windowId)) {
      events.push({
        type: 'traffic.window_cancelled.v1',
        data: { ...ref, windowId: window.windowId, cause: 'elapsed', cancelledBy: command.actor, cancelledAt: command.now },
      });
    }
  }
  return events;
}

/** Drops windows that are over and in effect for no direction. */
function withoutFinished(windows: readonly TrafficWindow[], active: PartnerTrafficState['activeWindows'], at: string): TrafficWindow[] {
  const inEffect = new Set(Object.values(active));
  return windows.filter((w) => inEffect.has(w.windowId) || ms(w.endsAt) > ms(at));
}

function evolve(state: PartnerTrafficState, event: PartnerTrafficEvent): PartnerTrafficState {
  switch (event.type) {
    case 'traffic.paused.v1': {
      const d = event.data;
      const ref: TrafficRef = { partnerId: d.partnerId, account: d.account, tenant: d.tenant, scope: d.scope };
      if (d.windowId !== null) {
        const activeWindows = { ...state.activeWindows, [d.direction]: d.windowId };
        return { ...state, ref, activeWindows, windows: withoutFinished(state.windows, activeWindows, d.pausedAt) };
      }
      // A changed reason, response or until of a direction already paused keeps the time the pause began.
      const since = state.pauses[d.direction]?.since ?? d.pausedAt;
      const pause: DirectionPause = { response: d.response, reason: d.reason, since, until: d.until, retryAfterSeconds: d.retryAfterSeconds, pausedBy: d.pausedBy };
      return { ...state, ref, pauses: { ...state.pauses, [d.direction]: pause } };
    }
    case 'traffic.resumed.v1': {
      const d = event.data;
      if (d.windowId !== null) {
        const activeWindows = { ...state.activeWindows, [d.direction]: state.activeWindows[d.direction] === d.windowId ? null : state.activeWindows[d.direction] };
        return { ...state, activeWindows, windows: withoutFinished(state.windows, activeWindows, d.resumedAt) };
      }
      return { ...state, pauses: { ...state.pauses, [d.direction]: null } };
    }
    case 'traffic.window_scheduled.v1': {
      const d = event.data;
      const ref: TrafficRef = { partnerId: d.partnerId, account: d.account, tenant: d.tenant, scope: d.scope };
      const merged = new Set(d.mergedWindowIds);
      const window: TrafficWindow = {
        windowId: d.windowId,
        direction: d.direction,
        startsAt: d.startsAt,
        endsAt: d.endsAt,
        response: d.response,
        reason: d.reason,
        scheduledBy: d.scheduledBy,
      };
      // A merged window that was running stays in effect under the new id: no resume and pause in between.
      const activeWindows = {
        incoming: merged.has(state.activeWindows.incoming ?? '') ? d.windowId : state.activeWindows.incoming,
        outgoing: merged.has(state.activeWindows.outgoing ?? '') ? d.windowId : state.activeWindows.outgoing,
      };
      const windows = [...state.windows.filter((w) => !merged.has(w.windowId)), window].sort((a, b) => ms(a.startsAt) - ms(b.startsAt));
      return { ...state, ref, windows, activeWindows };
    }
    case 'traffic.window_cancelled.v1': {
      const d = event.data;
      const activeWindows = {
        incoming: state.activeWindows.incoming === d.windowId ? null : state.activeWindows.incoming,
        outgoing: state.activeWindows.outgoing === d.windowId ? null : state.activeWindows.outgoing,
      };
      return { ...state, activeWindows, windows: state.windows.filter((w) => w.windowId !== d.windowId) };
    }
    default:
      return assertNever(event);
  }
}

export const partnerTrafficDecider: Decider<PartnerTrafficCommand, PartnerTrafficState, PartnerTrafficEvent> = {
  initialState: emptyPartnerTraffic,
  decide: (command, state) => {
    switch (command.type) {
      case 'pause':
        return decidePause(command, state);
      case 'resume':
        return state.pauses[command.direction] ? [operatorResumed(command, state)] : [];
      case 'schedule_window':
        return decideScheduleWindow(command, state);
      case 'cancel_window':
        return decideCancelWindow(command, state);
      case 'apply_due':
        return decideDue(command, state);
      default:
        return assertNever(command);
    }
  },
  evolve,
};

/** When the scheduler must next look at this stream: an `until`, a window's start or end; null when nothing waits. */
export function nextChangeAt(state: PartnerTrafficState): string | null {
  const instants: number[] = [];
  for (const direction of TRAFFIC_DIRECTIONS) {
    const until = state.pauses[direction]?.until;
    if (until) instants.push(ms(until));
  }
  for (const window of state.windows) {
    const inEffect = directionsOf(window.direction).some((d) => state.activeWindows[d] === window.windowId);
    instants.push(inEffect || supersededOnceBegun(state, window) ? ms(window.endsAt) : ms(window.startsAt));
  }
  return instants.length === 0 ? null : new Date(Math.min(...instants)).toISOString();
}

/**
 * A window begun and held over by a later one on each of its directions (its start passed, since the one in effect began
 * after it): nothing happens at its start any more; it takes a direction back when that window ends (that end is an
 * instant of its own) and ends at its end. Its start, long past, would have made the stream due again and again.
 */
function supersededOnceBegun(state: PartnerTrafficState, window: TrafficWindow): boolean {
  return directionsOf(window.direction).every((direction) => {
    const holder = state.windows.find((w) => w.windowId === state.activeWindows[direction]);
    return holder !== undefined && holder.windowId !== window.windowId && ms(holder.startsAt) >= ms(window.startsAt);
  });
}
