import { assertNever, type Decider } from '@as2-partners/kernel';
import { invalidPartnerSetting, stationNotFound } from '../partner-registry.errors';
import { hasControlCharacters } from '../settings/header-text';
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
  | { readonly type: 'delete_station'; readonly stationId: string; readonly now: string };

export type StationState =
  | { readonly status: 'none' }
  | { readonly status: 'active'; readonly station: StationRecord }
  | { readonly status: 'deleted'; readonly station: StationRecord };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateStationFields(fields: StationChanges): void {
  const { name, notificationEmail } = fields;
  if (name !== undefined && (name.trim().length === 0 || name.length > 255 || hasControlCharacters(name))) {
    throw invalidPartnerSetting('name', 'The name must be 1-255 characters without control characters');
  }
  // Failure notices are mailed there: a header-safe, plausible address.
  if (notificationEmail !== undefined && (!EMAIL.test(notificationEmail) || notificationEmail.length > 255 || hasControlCharacters(notificationEmail))) {
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
      return [{ type: 'station.updated.v1', data: { stationId: station.stationId, account: station.account, tenant: station.tenant, changes, updatedAt: command.now } }];
    }
    case 'delete_station': {
      if (state.status !== 'active') throw stationNotFound(command.stationId);
      const { stationId, account, tenant } = state.station;
      return [{ type: 'station.deleted.v1', data: { stationId, account, tenant, deletedAt: command.now } }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: StationState, event: StationEvent): StationState {
  switch (event.type) {
    case 'station.created.v1': {
      const { createdAt, ...rest } = event.data;
      return { status: 'active', station: { ...rest, createdAt, updatedAt: createdAt } };
    }
    case 'station.updated.v1':
      if (state.status !== 'active') return state;
      return { status: 'active', station: { ...state.station, ...event.data.changes, updatedAt: event.data.updatedAt } };
    case 'station.deleted.v1':
      if (state.status !== 'active') return state;
      return { status: 'deleted', station: state.station };
    default:
      return assertNever(event);
  }
}

export const stationDecider: Decider<StationCommand, StationState, StationEvent> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
