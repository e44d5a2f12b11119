import { foldEvents } from '@as2-partners/kernel';
import { deciderSpecification } from '@as2-partners/kernel-testing';
import type { StationEvent } from './station.events';
import { stationDecider, type StationState } from './station.decider';

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
    spec(twoMembers).when({ type: 'delete_station', stationId: 'stn_1', now: T1 }).thenError('STATION_IN_USE', { details: { partner_ids: ['prt_a', 'prt_b'], partners_total: 2 } });
    spec(twoMembers).when({ type: 'delete_station', stationId: 'stn_1', releasedMembers: ['prt_b'], now: T1 }).thenError('STATION_IN_USE', { details: { partner_ids: ['prt_a'], partners_total: 1 } });
    spec(twoMembers)
      .when({ type: 'delete_station', stationId: 'stn_1', releasedMembers: ['prt_a', 'prt_b'], now: T1 })
      .then([unassigned('prt_a', 'stale'), unassigned('prt_b', 'stale'), deleted]);
    spec([...twoMembers, unassigned('prt_a', 'moved'), unassigned('prt_b', 'deleted')]).when({ type: 'delete_station', stationId: 'stn_1', now: T1 }).then([deleted]);
  });

  it('loads a station stream written before memberships (no member events) as a station without members', () => {
    spec([created]).when({ type: 'delete_station', stationId: 'stn_1', now: T1 }).then([deleted]);
  });
});

describe('station decider: snapshot', () => {
  const codec = stationDecider.snapshot;
  const comparable = (state: StationState) =>
    state.status === 'none' ? state : { status: state.status, station: state.station, members: [...state.members.entries()].sort(([a], [b]) => a.localeCompare(b)) };
  const throughJson = (json: unknown): unknown => JSON.parse(JSON.stringify(json));
  const history: StationEvent[] = [
    created,
    { type: 'station.updated.v1', data: { ...scope, changes: { name: 'EU, north' }, updatedAt: T1 } },
    ...Array.from({ length: 3_000 }, (_, i) => (i % 4 === 3 ? unassigned(`prt_${i - 2}`, 'moved') : assigned(`prt_${i}`))),
  ];

  it('a fold resumed from a snapshot (through JSON) equals the full fold and decides the same, at every status', async () => {
    if (!codec?.restore) throw new Error('the station must have a snapshot codec that restores');
    for (const events of [[], history, [...history, deleted]]) {
      const full = foldEvents(stationDecider, events);
      for (const cut of [0, Math.floor(events.length / 2), events.length]) {
        const atSnapshot = foldEvents(stationDecider, events.slice(0, cut));
        for (const restored of [codec.fromJson(throughJson(codec.toJson(atSnapshot))), await codec.restore(throughJson(codec.toJson(atSnapshot)), async () => undefined)]) {
          const resumed = events.slice(cut).reduce(stationDecider.evolve, restored);
          expect(comparable(resumed)).toEqual(comparable(full));
          const deleting = { type: 'delete_station' as const, stationId: 'stn_1', now: T1 };
          const decided = (state: StationState) => {
            try {
              return stationDecider.decide(deleting, state);
            } catch (error) {
              return (error as { code: string; details?: unknown }).code;
            }
          };
          expect(decided(resumed)).toEqual(decided(full));
        }
      }
    }
    const members = foldEvents(stationDecider, history);
    expect(members.status === 'active' && members.members.size).toBe(1_500);
  });

  it('serialises in slices as at once, and weighs the state by its members', async () => {
    if (!codec?.toJsonInSlices) throw new Error('the station must serialise its snapshot in slices');
    const full = foldEvents(stationDecider, history);
    expect(await codec.toJsonInSlices(full, async () => undefined)).toEqual(codec.toJson(full));
    expect(codec.weigh?.(full)).toBe(full.status === 'active' ? full.members.size : -1);
  });
});
