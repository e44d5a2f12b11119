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

/**
 * A partner joined the station: recorded on the station's stream before the partner's own write names it, so a
 * deletion deciding on the same stream sees it (or the assignment is refused once the station is deleted).
 */
export type StationPartnerAssigned = DomainEvent<
  'station.partner_assigned.v1',
  { readonly stationId: string; readonly account: string; readonly tenant: string; readonly partnerId: string; readonly assignedAt: string }
>;

/**
 * A partner left the station: `moved` (another station or none), `deleted` (the partner was deleted), `stale` (the
 * partner never came to name it, or no longer does: an assignment a crash or a refused write left behind).
 */
export type StationPartnerUnassigned = DomainEvent<
  'station.partner_unassigned.v1',
  {
    readonly stationId: string;
    readonly account: string;
    readonly tenant: string;
    readonly partnerId: string;
    readonly reason: 'moved' | 'deleted' | 'stale';
    readonly unassignedAt: string;
  }
>;

export type StationEvent = StationCreated | StationUpdated | StationDeleted | StationPartnerAssigned | StationPartnerUnassigned;

export const STATION_EVENT_TYPES = [
  'station.created.v1',
  'station.updated.v1',
  'station.deleted.v1',
  'station.partner_assigned.v1',
  'station.partner_unassigned.v1',
] as const satisfies readonly StationEvent['type'][];
