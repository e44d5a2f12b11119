import { EVENT_STORE, WriteModel, type EventStore } from '@as2-partners/kernel';
import { PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import { StationMembership } from '../write-model/station-membership';
import { apiAs, freshTenant, partnerApiFixture, partnerInput } from './partner-api.spec-support';

let ids = 0;
const as2Id = (prefix: string) => `${prefix}-${process.pid}-${++ids}`;

// Past the grace period in which a fresh membership may belong to a write still in flight.
let clockOffsetMs = 0;
const clockNow = () => new Date(Date.now() + clockOffsetMs);

describe('station membership on the station stream (the in-use check of a station deletion)', () => {
  const ctx = partnerApiFixture('membership-account', { now: clockNow });

  const station = async (name = 'EU') => {
    const res = await ctx.api.post('/v1/stations', { name, notification_email: 'ops@us.example.com' });
    expect(res.status).toBe(201);
    return res.body.data.id as string;
  };
  const member = (stationId: string, extra: Record<string, unknown> = {}) => ctx.api.post('/v1/partners', partnerInput(as2Id('MEMBER'), { station_id: stationId, email: 'as2@member.example.com', ...extra }));
  const stationEvents = async (stationId: string) => (await ctx.t.app.get<EventStore>(EVENT_STORE).readStream(PartnerRegistryStreams.station(stationId))).map((e) => e.type);

  it('never lets a station be deleted while a partner joins it concurrently: one of the two is refused', async () => {
    for (let round = 0; round < 24; round++) {
      // A tenant per round: the plan's partner limit never interferes.
      ctx.api = apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() });
      const stationId = await station(`race ${round}`);
      // The deletion starts a few turns of the event loop after the create (0 to 11), so it lands at every step of it.
      const creating = member(stationId);
      for (let turn = 0; turn < round; turn++) await new Promise((resolve) => setImmediate(resolve));
      const [created, deleted] = await Promise.all([creating, ctx.api.delete(`/v1/stations/${stationId}`)]);
      const outcome = `create ${created.status}, delete ${deleted.status}`;
      expect(['create 201, delete 409', 'create 404, delete 200']).toContain(outcome);
      if (created.status === 201) {
        expect(deleted.body.error).toMatchObject({ code: 'STATION_IN_USE', details: { partner_ids: [created.body.data.id] } });
        expect((await ctx.api.get(`/v1/stations/${stationId}`)).status).toBe(200);
      } else {
        expect(created.body.error.code).toBe('STATION_NOT_FOUND');
        // The refused partner was never created, and the AS2 id it asked for is free.
        expect((await ctx.api.get('/v1/partners')).body.data.filter((p: { station_id: string | null }) => p.station_id === stationId)).toEqual([]);
      }
    }
  });

  it('follows a partner moving between stations, leaving one, and being deleted', async () => {
    const eu = await station('EU');
    const us = await station('US');
    const partnerId = (await member(eu)).body.data.id as string;
    expect((await ctx.api.patch(`/v1/partners/${partnerId}`, { station_id: us })).status).toBe(200);
    expect((await ctx.api.delete(`/v1/stations/${eu}`)).status).toBe(200);
    expect(await stationEvents(eu)).toEqual(['station.created.v1', 'station.partner_assigned.v1', 'station.partner_unassigned.v1', 'station.deleted.v1']);
    expect((await ctx.api.delete(`/v1/stations/${us}`)).body.error).toMatchObject({ code: 'STATION_IN_USE', details: { partner_ids: [partnerId] } });
    // A change of another field keeps the membership.
    expect((await ctx.api.patch(`/v1/partners/${partnerId}`, { name: 'Renamed' })).status).toBe(200);
    expect((await ctx.api.delete(`/v1/stations/${us}`)).status).toBe(409);
    expect((await ctx.api.delete(`/v1/partners/${partnerId}`)).status).toBe(200);
    expect((await ctx.api.delete(`/v1/stations/${us}`)).status).toBe(200);
    const store = ctx.t.app.get<EventStore>(EVENT_STORE);
    const left = (await store.readStream(PartnerRegistryStreams.station(us))).filter((e) => e.type === 'station.partner_unassigned.v1');
    expect(left.map((e) => (e.data as { reason: string }).reason)).toEqual(['deleted']);
  });

  it('keeps a partner in one station only when it is moved to several at once: every station it left deletes', async () => {
    for (let round = 0; round < 4; round += 1) {
      ctx.api = apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() });
      const stations: string[] = [];
      for (let i = 0; i < 6; i += 1) stations.push(await station(`move ${round}.${i}`));
      const partnerId = (await member(stations[0] as string)).body.data.id as string;
      const moves = await Promise.all(stations.slice(1).map((stationId) => ctx.api.patch(`/v1/partners/${partnerId}`, { station_id: stationId })));
      expect(moves.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
      const now = (await ctx.api.get(`/v1/partners/${partnerId}`)).body.data.station_id as string;
      for (const stationId of stations.filter((id) => id !== now)) expect([stationId, (await ctx.api.delete(`/v1/stations/${stationId}`)).status]).toEqual([stationId, 200]);
      expect((await ctx.api.delete(`/v1/stations/${now}`)).body.error).toMatchObject({ code: 'STATION_IN_USE', details: { partner_ids: [partnerId] } });
    }
  });

  it("counts an inherited master partner a tenant put in the station (its override), until the override goes", async () => {
    const admin = apiAs(ctx.t, { account: ctx.account, tenant: null, roles: ['account_admin'] });
    const master = (await admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput(as2Id('MASTER'), { email: 'as2@master.example.com' }))).body.data.id as string;
    const eu = await station('EU');
    expect((await ctx.api.patch(`/v1/partners/${master}`, { station_id: eu })).status).toBe(200);
    expect((await ctx.api.delete(`/v1/stations/${eu}`)).body.error).toMatchObject({ code: 'STATION_IN_USE', details: { partner_ids: [master] } });
    expect((await ctx.api.delete(`/v1/partners/${master}/overrides`)).status).toBe(200);
    expect((await ctx.api.delete(`/v1/stations/${eu}`)).status).toBe(200);
    // The account deletes a master partner a tenant put in a station: the station is free at once (no write of a
    // deleted partner is on its way), not only once past the grace period.
    const other = await station('Other');
    const doomed = (await admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput(as2Id('DOOMED'), { email: 'as2@doomed.example.com' }))).body.data.id as string;
    expect((await ctx.api.patch(`/v1/partners/${doomed}`, { station_id: other })).status).toBe(200);
    expect((await admin.delete(`/v1/accounts/${ctx.account}/partners/${doomed}`)).status).toBe(200);
    expect((await ctx.api.delete(`/v1/stations/${other}`)).status).toBe(200);
  });

  it('refuses an assignment to a deleted station, and a write refused after joining leaves the station again', async () => {
    const eu = await station('EU');
    expect((await ctx.api.delete(`/v1/stations/${eu}`)).status).toBe(200);
    expect((await member(eu)).body.error.code).toBe('STATION_NOT_FOUND');
    const us = await station('US');
    const taken = as2Id('TAKEN');
    expect((await ctx.api.post('/v1/partners', partnerInput(taken))).status).toBe(201);
    // A taken AS2 id is refused before the station is joined: no membership event.
    expect((await ctx.api.post('/v1/partners', partnerInput(taken, { station_id: us, email: 'a@b.example.com' }))).body.error.code).toBe('DUPLICATE_AS2_ID');
    expect(await stationEvents(us)).toEqual(['station.created.v1']);
    // So is a PATCH the partner's rules refuse (a station without an email): the partner joins nothing.
    const bare = (await ctx.api.post('/v1/partners', partnerInput(as2Id('BARE')))).body.data.id as string;
    const refused = await ctx.api.patch(`/v1/partners/${bare}`, { station_id: us });
    expect([refused.status, refused.body.error.code, Object.keys(refused.body.errors)]).toEqual([422, 'INVALID_PARTNER_SETTING', ['email']]);
    expect(await stationEvents(us)).toEqual(['station.created.v1']);
    // A write refused after joining (a plan's limit, an AS2 id taken meanwhile) still leaves the station at once.
    const metadata = { account: ctx.account, tenant: ctx.tenant, correlationId: 'refused', causationId: null, actor: { type: 'user' as const, id: 'test' }, occurredAt: clockNow().toISOString() };
    const refusedAfterJoining = async () => {
      throw new Error('refused');
    };
    await expect(ctx.t.app.get(StationMembership).around({ partnerId: bare, previous: null, next: us }, clockNow(), metadata, refusedAfterJoining)).rejects.toThrow('refused');
    expect(await stationEvents(us)).toEqual(['station.created.v1', 'station.partner_assigned.v1', 'station.partner_unassigned.v1']);
    expect((await ctx.api.delete(`/v1/stations/${us}`)).status).toBe(200);
  });

  it("refuses a create over the plan's limit before its station is joined: no membership event for a partner never created", async () => {
    const eu = await station('EU');
    // The fixture's tenant is unregistered, so billed as free: five partners.
    for (let i = 0; i < 5; i++) expect((await ctx.api.post('/v1/partners', partnerInput(as2Id('FILL')))).status).toBe(201);
    const sixth = await member(eu);
    expect([sixth.status, sixth.body.error.code, sixth.body.error.details.plan_limit]).toEqual([402, 'PARTNER_LIMIT_EXCEEDED', 5]);
    expect(await stationEvents(eu)).toEqual(['station.created.v1']);
    expect((await ctx.api.delete(`/v1/stations/${eu}`)).status).toBe(200);
  });

  it('drops, once past the grace period, a membership whose partner write never happened (a crash between the two)', async () => {
    const eu = await station('EU');
    const ghost = 'prt_01JD0000000000000000000000';
    // The station stream took the partner, and the process died before the partner's own stream was written.
    const metadata = { account: ctx.account, tenant: ctx.tenant, correlationId: 'crash', causationId: null, actor: { type: 'user' as const, id: 'test' }, occurredAt: clockNow().toISOString() };
    await ctx.t.app.get(StationMembership).assign(eu, ghost, clockNow(), metadata);
    expect((await ctx.api.delete(`/v1/stations/${eu}`)).body.error).toMatchObject({ code: 'STATION_IN_USE', details: { partner_ids: [ghost] } });
    clockOffsetMs += 60_000;
    expect((await ctx.api.delete(`/v1/stations/${eu}`)).status).toBe(200);
    const events = (await ctx.t.app.get(WriteModel).store.readStream(PartnerRegistryStreams.station(eu))).map((e) => [e.type, (e.data as { reason?: string }).reason]);
    expect(events.slice(-2)).toEqual([['station.partner_unassigned.v1', 'stale'], ['station.deleted.v1', undefined]]);
  });
});
