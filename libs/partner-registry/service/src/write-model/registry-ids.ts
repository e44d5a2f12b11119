import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();
const ULID = '[0-9A-HJKMNP-TV-Z]{26}';

/** `ins_` + a ULID: one of our AS2 instances. */
export const AS2_INSTANCE_ID_PATTERN = new RegExp(`^ins_${ULID}$`);
/** `pts_` + a ULID: a partnership. */
export const PARTNERSHIP_ID_PATTERN = new RegExp(`^pts_${ULID}$`);
/** `stn_` + a ULID: a station. */
export const STATION_ID_PATTERN = new RegExp(`^stn_${ULID}$`);

export const newAs2InstanceId = (): string => `ins_${nextUlid()}`;
export const newPartnershipId = (): string => `pts_${nextUlid()}`;
export const newStationId = (): string => `stn_${nextUlid()}`;
