import { bucketedMapsCodec, characterCount, assertNever, PersistentMap, stampedNotBefore, type BucketRows, type Decider, type SnapshotCodec, hasControlCharacters } from '@as2-partners/kernel';
import { invalidPartnerSetting, stationInUse, stationNotFound } from '../partner-registry.errors';
import { isNotificationEmail } from '../settings/notification-email';
import type { StationChanges, StationEvent } from './station.events';

/** A group of a tenant's partners and where failure notices about them go (stream `station-<id>`). */
export interface StationRecord {
  readonly stationId: string;
  readonly account: string;
  readonly tenant: string;
  readonly name: string;
  readonly notificationEmail: string;
  readonly as2InstanceId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type StationCommand =
  | {
      readonly type: 'create_station';
      readonly stationId: string;
      readonly account: string;
      readonly tenant: string;
      readonly name: string;
      readonly notificationEmail: string;
      readonly as2InstanceId: string | null;
      readonly now: string;
    }
  | { readonly type: 'update_station'; readonly stationId: string; readonly changes: StationChanges; readonly now: string }
  /**
   * Refused (STATION_IN_USE) while a member is left; `releasedMembers`: members the caller found gone from the station on
   * the write side (their partner deleted, moved, or never written), unassigned as stale in the same append.
   */
  | { readonly type: 'delete_station'; readonly stationId: string; readonly releasedMembers?: readonly string[]; readonly now: string }
  /** Before a partner's write names the station: refused once the station is deleted. */
  | { readonly type: 'assign_partner'; readonly stationId: string; readonly partnerId: string; readonly now: string }
  | { readonly type: 'unassign_partner'; readonly stationId: string; readonly partnerId: string; readonly reason: 'moved' | 'deleted' | 'stale'; readonly now: string };

/** The station's partners, by partner id, with when each was assigned (absent from streams written before membership). */
export type StationMembers = PersistentMap<string, string>;

export type StationState =
  | { readonly status: 'none' }
  | { readonly status: 'active'; readonly station: StationRecord; readonly members: StationMembers }
  | { readonly status: 'deleted'; readonly station: StationRecord; readonly members: StationMembers };

export function validateStationFields(fields: StationChanges): void {
  const { name, notificationEmail } = fields;
  if (name !== undefined && (name.trim().length === 0 || characterCount(name) > 255 || hasControlCharacters(name))) {
    throw invalidPartnerSetting('name', 'The name must be 1-255 characters without control characters');
  }
  // Failure notices are mailed there: a header-safe, plausible address.
  if (notificationEmail !== undefined && !isNotificationEmail(notificationEmail)) {
    throw invalidPartnerSetting('notification_email', 'The notification email must be a valid email address');
  }
}

function decide(command: StationCommand, state: StationState): StationEvent[] {
  switch (command.type) {
    case 'create_station': {
      if (state.status !== 'none') throw new Error(`Station ${command.stationId} already exists`);
      const { type: _type, now, ...data } = command;
      validateStationFields(data);
      return [{ type: 'station.created.v1', data: { ...data, createdAt: now } }];
    }
    case 'update_station': {
      if (state.status !== 'active') throw stationNotFound(command.stationId);
      validateStationFields(command.changes);
      const { station } = state;
      const changes = Object.fromEntries(
        Object.entries(command.changes).filter(([field, value]) => value !== undefined && station[field as keyof StationChanges] !== value),
      ) as StationChanges;
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'station.updated.v1', data: { stationId: station.stationId, account: station.account, tenant: station.tenant, changes, updatedAt: stampedNotBefore(command.now, station.updatedAt) } }];
    }
    case 'delete_station': {
      if (state.status !== 'active') throw stationNotFound(command.stationId);
      const { stationId, account, tenant } = state.station;
      const released = new Set(command.releasedMembers ?? []);
      const members = [...state.members.keys()];
      const remaining = members.filter((partnerId) => !released.has(partnerId));
      if (remaining.length > 0) throw stationInUse(stationId, remaining);
      return [
        ...members.map((partnerId): StationEvent => ({
          type: 'station.partner_unassigned.v1',
          data: { stationId, account, tenant, partnerId, reason: 'stale', unassignedAt: command.now },
        })),
        { type: 'station.deleted.v1', data: { stationId, account, tenant, deletedAt: command.now } },
      ];
    }
    case 'assign_partner': {
      if (state.status !== 'active') throw stationNotFound(command.stationId, 'station_id');
      if (state.members.has(command.partnerId)) return [];
      const { stationId, account, tenant } = state.station;
      return [{ type: 'station.partner_assigned.v1', data: { stationId, account, tenant, partnerId: command.partnerId, assignedAt: command.now } }];
    }
    case 'unassign_partner': {
      if (state.status === 'none' || !state.members.has(command.partnerId)) return [];
      const { stationId, account, tenant } = state.station;
      return [
        { type: 'station.partner_unassigned.v1', data: { stationId, account, tenant, partnerId: command.partnerId, reason: command.reason, unassignedAt: command.now } },
      ];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: StationState, event: StationEvent): StationState {
  switch (event.type) {
    case 'station.created.v1': {
      const { createdAt, ...rest } = event.data;
      return { status: 'active', station: { ...rest, createdAt, updatedAt: createdAt }, members: PersistentMap.empty() };
    }
    case 'station.updated.v1':
      if (state.status !== 'active') return state;
      return { ...state, station: { ...state.station, ...event.data.changes, updatedAt: event.data.updatedAt } };
    case 'station.deleted.v1':
      if (state.status !== 'active') return state;
      return { status: 'deleted', station: state.station, members: state.members };
    case 'station.partner_assigned.v1':
      if (state.status === 'none') return state;
      return { ...state, members: state.members.set(event.data.partnerId, event.data.assignedAt) };
    case 'station.partner_unassigned.v1':
      if (state.status === 'none') return state;
      return { ...state, members: state.members.delete(event.data.partnerId) };
    default:
      return assertNever(event);
  }
}

const MEMBER_ROWS: BucketRows<string, string> = { width: 2, toRow: (partnerId, assignedAt) => [partnerId, assignedAt], valueOf: (items, at) => items[at + 1] as string };

/**
 * A hub's station has a member per partner (100,000), each joined by an event on the station's stream: snapshotted
 * so a restart restores the members without folding every assignment (see bucketedMapsCodec).
 */
const snapshotCodec: SnapshotCodec<StationState> = bucketedMapsCodec({
  name: 'station.v1',
  maps: [{ field: 'members', rows: MEMBER_ROWS }],
  partsOf: (state) =>
    state.status === 'none'
      ? { maps: [PersistentMap.empty<string, unknown>()], header: { status: 'none' } }
      : { maps: [state.members], header: { status: state.status, station: state.station } },
  stateOf: ({ maps: [members], header }) => {
    const { status, station } = header as { status: StationState['status']; station?: StationRecord };
    if (status === 'none' || station === undefined) return { status: 'none' };
    return { status, station, members: members as StationMembers };
  },
});

export const stationDecider: Decider<StationCommand, StationState, StationEvent> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
  snapshot: snapshotCodec,
};
