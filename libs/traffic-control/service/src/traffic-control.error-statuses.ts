import { TrafficControlErrorCode as Code } from '@as2-partners/traffic-control-domain';

/** HTTP status of every DomainError code this context raises (registered once, when the module loads). */
export const TRAFFIC_CONTROL_ERROR_STATUSES: Readonly<Record<string, number>> = {
  [Code.PartnerNotFound]: 404,
  [Code.InvalidTrafficSetting]: 422,
  [Code.UntilInPast]: 422,
  [Code.WindowInPast]: 422,
  [Code.InvalidWindow]: 422,
  [Code.WindowNotFound]: 404,
  [Code.InheritedWindowReadOnly]: 403,
  [Code.WindowLimitExceeded]: 422,
  [Code.WindowOverlap]: 409,
  [Code.NoticeSlotTaken]: 409,
  TENANT_REQUIRED: 403,
  ACCOUNT_FORBIDDEN: 403,
};
