import type { PartnerTrafficState, TrafficScope } from '@as2-partners/traffic-control-domain';

/** One partner traffic stream's state (a tenant's or the account's), as the GET routes and the scheduler read it. */
export interface PartnerTrafficDocument extends Omit<PartnerTrafficState, 'ref'> {
  /** The stream name. */
  readonly _id: string;
  readonly partnerId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly scope: TrafficScope;
  /** Some direction is paused (by an operator or a running window). */
  readonly paused: boolean;
  readonly nextChangeAt: string | null;
  /** Revision of the last event folded in: a redelivered event is skipped. */
  readonly revision: number;
  readonly updatedAt: string;
}

/** One traffic event of a partner, for its timeline. */
export interface TrafficTimelineDocument {
  readonly _id: string;
  readonly partnerId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly actor: { readonly type: string; readonly id: string };
  readonly occurredAt: string;
  readonly position: number;
}

export const PartnerTrafficCollections = {
  traffic: 'traffic_control_partner_traffic',
  timeline: 'traffic_control_timeline',
} as const;
