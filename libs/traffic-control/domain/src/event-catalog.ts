import { PARTNER_TRAFFIC_EVENT_TYPES, type PartnerTrafficEvent } from './partner-traffic/partner-traffic.events';
import type { OutboundBlocked } from './traffic-decision/outbound-blocked.event';

export type TrafficControlEvent = PartnerTrafficEvent | OutboundBlocked;

/** Every event type this context writes (the AsyncAPI document lists the same). */
export const TRAFFIC_CONTROL_EVENT_TYPES: readonly TrafficControlEvent['type'][] = [...PARTNER_TRAFFIC_EVENT_TYPES, 'traffic.outbound_blocked.v1'];
