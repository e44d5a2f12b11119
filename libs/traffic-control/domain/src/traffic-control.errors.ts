/** Codes of the rules this context enforces (mapped to HTTP statuses in the service). */
export const TrafficControlErrorCode = {
  PartnerNotFound: 'PARTNER_NOT_FOUND',
  InvalidTrafficSetting: 'INVALID_TRAFFIC_SETTING',
  UntilInPast: 'UNTIL_IN_PAST',
  WindowInPast: 'WINDOW_IN_PAST',
  InvalidWindow: 'INVALID_WINDOW',
  WindowNotFound: 'WINDOW_NOT_FOUND',
  /** A tenant's cancel of the account's window on an inherited master partner: the account admin's to cancel. */
  InheritedWindowReadOnly: 'INHERITED_WINDOW_READ_ONLY',
  WindowLimitExceeded: 'WINDOW_LIMIT_EXCEEDED',
  /** A window overlapping one of the same direction that answers with another response: neither may silently change the other's. */
  WindowOverlap: 'WINDOW_OVERLAP',
  /** Another replica mailed the partner's notice within the interval (internal: never an HTTP answer). */
  NoticeSlotTaken: 'NOTICE_SLOT_TAKEN',
} as const;
