import { deciderSpecification } from '@as2-partners/kernel-testing';
import type { StationEvent } from './station.events';
import { stationDecider } from './station.decider';

const spec = deciderSpecification(stationDecider);
const T0 = '2026-11-30T10:00:00.000Z';
const T1 = '2026-11-30T10:01:00.000Z';
const scope = { stationId: 'stn_1', account: 'acc', tenant: 'ten' };
const created: StationEvent = { type: 'station.created.v1', data: { ...scope, name: 'EU', notificationEmail: 'ops@us.example.com', as2InstanceId: null, createdAt: T0 } };
const assigned = (partnerId: string): StationEvent => ({ type: 'station.partner_assigned.v1', data: { ...scope, partnerId, assignedAt: T0 } });
const unassigned = (partnerId: string, reason: 'moved' | 'deleted' | 'stale'): StationEvent => ({
  type: 'station.partner_unassigned.v1',
  data: { ...scope, partnerId, reason, unassignedAt: T1 },
});
const deleted: StationEvent = { type: 'station.deleted.v1', data: { ...scope, deletedAt: T1 } };

describe('station decider: membership', () => {
  it('records a partner joining once, and leaving once', () => {
    spec([created]).when({ type: 'assign_partner', stationId: 'stn_1', partnerId: 'prt_a', now: T0 }).then([assigned('prt_a')]);
    spec([created, assigned('prt_a')]).when({ type: 'assign_partner', stationId: 'stn_1', partnerId: 'prt_a', now: T1 }).thenNothing();
    spec([created, assigned('prt_a')]).when({ type: 'unassign_partner', stationId: 'stn_1', partnerId: 'prt_a', reason: 'moved', now: T1 }).then([unassigned('prt_a', 'moved')]);
    spec([created]).when({ type: 'unassign_partner', stationId: 'stn_1', partnerId: 'prt_a', reason: 'moved', now: T1 }).thenNothing();
  });

  it('refuses a partner joining a deleted or unknown station', () => {
    spec([created, deleted]).when({ type: 'assign_partner', stationId: 'stn_1', partnerId: 'prt_a', now: T1 }).thenError('STATION_NOT_FOUND');
    spec([]).when({ type: 'assign_partner', stationId: 'stn_1', partnerId: 'prt_a', now: T1 }).thenError('STATION_NOT_FOUND');
  });

  it('refuses a deletion while members are left (STATION_IN_USE with their ids), and drops the members the caller found gone', () => {
    const twoMembers = [created, assigned('prt_a'), assigned('prt_b')];
    spec(twoMembers).when({ type: 'delete_station', stationId: 'stn_1', now: T1 }).thenError('STATION_IN_USE', { details: { partner_ids: ['prt_a', 'prt_b'] } });
    spec(twoMembers).when({ type: 'delete_station', stationId: 'stn_1', releasedMembers: ['prt_b'], now: T1 }).thenError('STATION_IN_USE', { details: { partner_ids: ['prt_a'] } });
    spec(twoMembers)
      .when({ type: 'delete_station', stationId: 'stn_1', releasedMembers: ['prt_a', 'prt_b'], now: T1 })
      .then([unassigned('prt_a', 'stale'), unassigned('prt_b', 'stale'), deleted]);
    spec([...twoMembers, unassigned('prt_a', 'moved'), unassigned('prt_b', 'deleted')]).when({ type: 'delete_station', stationId: 'stn_1', now: T1 }).then([deleted]);
  });

  it('loads a station stream written before memberships (no member events) as a station without members', () => {
    spec([created]).when({ type: 'delete_station', stationId: 'stn_1', now: T1 }).then([deleted]);
  });
});
