import type { IncomingResponse, TrafficDirection, WindowDirection } from './traffic-modes';
import type { TrafficRef } from './partner-traffic.events';

/** An operator's pause of one direction. */
export interface DirectionPause {
  readonly response: IncomingResponse | null;
  readonly reason: string;
  readonly since: string;
  readonly until: string | null;
  readonly retryAfterSeconds: number | null;
  readonly pausedBy: string;
}

export interface TrafficWindow {
  readonly windowId: string;
  readonly direction: WindowDirection;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly response: IncomingResponse | null;
  readonly reason: string;
  readonly scheduledBy: string;
}

/** One partner traffic stream: operator pauses per direction, windows not yet over, and which window is in effect. */
export interface PartnerTrafficState {
  readonly ref: TrafficRef | null;
  readonly pauses: Readonly<Record<TrafficDirection, DirectionPause | null>>;
  /** Scheduled or running windows, by start. */
  readonly windows: readonly TrafficWindow[];
  /** The window whose pause event was recorded for a direction (its resume is still to come). */
  readonly activeWindows: Readonly<Record<TrafficDirection, string | null>>;
}

export const emptyPartnerTraffic = (): PartnerTrafficState => ({
  ref: null,
  pauses: { incoming: null, outgoing: null },
  windows: [],
  activeWindows: { incoming: null, outgoing: null },
});
