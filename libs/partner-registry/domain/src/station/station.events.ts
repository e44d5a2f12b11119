import type { DomainEvent } from '../domain-event';

/** What PATCH may change; `as2InstanceId` null removes the station's default identity. */
export interface StationChanges {
  readonly name?: string;
  readonly notificationEmail?: string;
  readonly as2InstanceId?: string | null;
}

export type StationCreated = DomainEvent<
  'station.created.v1',
  {
    readonly stationId: string;
    readonly account: string;
    readonly tenant: string;
    readonly name: string;
    readonly notificationEmail: string;
    readonly as2InstanceId: string | null;
    readonly createdAt: string;
  }
>;

/** `changes` holds only the fields whose value changed. */
export type StationUpdated = DomainEvent<
  'station.updated.v1',
  { readonly stationId: string; readonly account: string; readonly tenant: string; readonly changes: StationChanges; readonly updatedAt: string }
>;

export type StationDeleted = DomainEvent<
  'station.deleted.v1',
  { readonly stationId: string; readonly account: string; readonly tenant: string; readonly deletedAt: string }
>;

export type StationEvent = StationCreated | StationUpdated | StationDeleted;

export const STATION_EVENT_TYPES = ['station.created.v1', 'station.updated.v1', 'station.deleted.v1'] as const satisfies readonly StationEvent['type'][];
