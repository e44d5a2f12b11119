import { tenantLevelsFilter, type FindQuery } from '@as2-partners/kernel';
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

/**
 * The timeline's index: a partner's events of one level (a tenant's, or the account's as tenant null) in position
 * order, ending with `_id` as the timeline's sort does, so a page is an index range on both stores (no sort stage, no
 * other tenant's or partner's event read) and its count counts that range.
 */
export const TRAFFIC_TIMELINE_INDEX = ['account', 'partnerId', 'tenant', 'position', '_id'] as const;

/**
 * One page of a partner's traffic events at the given levels (a tenant, and null for the account's), newest first:
 * one level an equality, two an `$or` of equalities the embedded store reads as one index range each.
 */
export function trafficTimelineQuery(account: string, partnerId: string, tenants: readonly (string | null)[], page: number, perPage: number): FindQuery {
  return {
    filter: { account, partnerId, ...tenantLevelsFilter(tenants) },
    // positions are unique: the `_id` only makes the order the index's, descending as a whole
    sort: { position: -1, _id: -1 },
    skip: (page - 1) * perPage,
    limit: perPage,
  };
}
