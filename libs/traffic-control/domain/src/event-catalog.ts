import { PARTNER_TRAFFIC_EVENT_TYPES, type PartnerTrafficEvent } from './partner-traffic/partner-traffic.events';
import type { OutboundBlocked } from './traffic-decision/outbound-blocked.event';
import { BLOCK_NOTICE_EVENT_TYPES, type BlockNoticeEvent } from './block-notices/block-notice.events';

export type TrafficControlEvent = PartnerTrafficEvent | OutboundBlocked | BlockNoticeEvent;

/** Every event type this context writes (the AsyncAPI document lists the same). */
export const TRAFFIC_CONTROL_EVENT_TYPES: readonly TrafficControlEvent['type'][] = [...PARTNER_TRAFFIC_EVENT_TYPES, 'traffic.outbound_blocked.v1', ...BLOCK_NOTICE_EVENT_TYPES];
