import { ACCOUNT_LEVEL_TENANT } from '@as2-partners/kernel';

/** Stream names of this context; the category (before the first `-`) says which decider owns the stream. */
export const TrafficControlStreams = {
  /** A tenant's pauses and windows of one partner (its own or an inherited master partner). */
  tenantPartnerTraffic: (account: string, tenant: string, partnerId: string) => `partner_traffic-${account}.${tenant}.${partnerId}`,
  /** An account's pauses and windows of one of its master partners, for every tenant. */
  accountPartnerTraffic: (account: string, partnerId: string) => `account_partner_traffic-${account}.${partnerId}`,
  /** Outbound messages blocked for one partner (facts only, never a payload). */
  outboundBlocks: (partnerId: string) => `traffic_block-${partnerId}`,
  /** Claims of one partner's blocked-message notice slot (per tenant), so replicas mail it once per interval. */
  blockNotice: (account: string, tenant: string | null, partnerId: string) => `traffic_notice-${account}.${tenant ?? ACCOUNT_LEVEL_TENANT}.${partnerId}`,
} as const;

export const TRAFFIC_CONTROL_STREAM_CATEGORIES = ['partner_traffic', 'account_partner_traffic', 'traffic_block', 'traffic_notice'] as const;
