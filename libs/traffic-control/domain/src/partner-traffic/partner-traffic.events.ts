import type { IncomingResponse, TrafficDirection, TrafficScope, WindowDirection } from './traffic-modes';

interface TrafficEvent<Type extends string, Data> {
  readonly type: Type;
  readonly data: Data;
}

/** Which partner traffic stream an event belongs to; `tenant` is null for an account-level pause of a master partner. */
export interface TrafficRef {
  readonly partnerId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly scope: TrafficScope;
}

/** A pause took effect: by an operator (`windowId` null), because a maintenance window started, or a window merging a running one took it over. */
export type TrafficPaused = TrafficEvent<
  'traffic.paused.v1',
  TrafficRef & {
    readonly direction: TrafficDirection;
    /** Incoming only; null for outgoing. */
    readonly response: IncomingResponse | null;
    readonly reason: string;
    readonly until: string | null;
    readonly retryAfterSeconds: number | null;
    readonly windowId: string | null;
    readonly pausedBy: string;
    readonly pausedAt: string;
  }
>;

/**
 * A pause ended: an operator resumed, its `until` passed, or its window ended. The gateway releases what it held once
 * nothing holds the direction any more: `stillPaused` says another pause of this stream (the operator's, or a window's)
 * still does; a pause at the other level (an account's of a master partner, a tenant's of the partner it inherits) is on
 * its own stream, so the gateway asks the decision before it releases.
 */
export type TrafficResumed = TrafficEvent<
  'traffic.resumed.v1',
  TrafficRef & {
    readonly direction: TrafficDirection;
    readonly trigger: 'operator' | 'until' | 'window_end';
    readonly windowId: string | null;
    readonly resumedBy: string;
    readonly resumedAt: string;
    /** The operator's reason for resuming, when one was given (absent from events recorded before it was kept). */
    readonly reason?: string;
    /** True when the direction is still paused on this stream after it (absent from events recorded before it was kept). */
    readonly stillPaused?: boolean;
  }
>;

/** A maintenance window was scheduled; overlapping windows of the same direction were merged into it. */
export type TrafficWindowScheduled = TrafficEvent<
  'traffic.window_scheduled.v1',
  TrafficRef & {
    readonly windowId: string;
    readonly direction: WindowDirection;
    readonly startsAt: string;
    readonly endsAt: string;
    readonly response: IncomingResponse | null;
    readonly reason: string;
    readonly mergedWindowIds: readonly string[];
    readonly scheduledBy: string;
    readonly scheduledAt: string;
  }
>;

/** A window was cancelled by an operator, or passed entirely while no scheduler ran (`elapsed`). */
export type TrafficWindowCancelled = TrafficEvent<
  'traffic.window_cancelled.v1',
  TrafficRef & {
    readonly windowId: string;
    readonly cause: 'operator' | 'elapsed';
    readonly cancelledBy: string;
    readonly cancelledAt: string;
  }
>;

export type PartnerTrafficEvent = TrafficPaused | TrafficResumed | TrafficWindowScheduled | TrafficWindowCancelled;

export const PARTNER_TRAFFIC_EVENT_TYPES = [
  'traffic.paused.v1',
  'traffic.resumed.v1',
  'traffic.window_scheduled.v1',
  'traffic.window_cancelled.v1',
] as const satisfies readonly PartnerTrafficEvent['type'][];
