import { commandEntityId } from '@as2-partners/kernel';
import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();
const ULID = '[0-9A-HJKMNP-TV-Z]{26}';

/** `ins_` + a ULID: one of our AS2 instances. */
export const AS2_INSTANCE_ID_PATTERN = new RegExp(`^ins_${ULID}$`);
/** `pts_` + a ULID: a partnership. */
export const PARTNERSHIP_ID_PATTERN = new RegExp(`^pts_${ULID}$`);
/** `stn_` + a ULID: a station. */
export const STATION_ID_PATTERN = new RegExp(`^stn_${ULID}$`);

/** A create with a command id (Idempotency-Key) names its entity from it, so its retry after a crash finds the same one. */
export const newAs2InstanceId = (commandId?: string): string => (commandId === undefined ? `ins_${nextUlid()}` : commandEntityId('ins', commandId));
export const newPartnershipId = (commandId?: string): string => (commandId === undefined ? `pts_${nextUlid()}` : commandEntityId('pts', commandId));
export const newStationId = (commandId?: string): string => (commandId === undefined ? `stn_${nextUlid()}` : commandEntityId('stn', commandId));
