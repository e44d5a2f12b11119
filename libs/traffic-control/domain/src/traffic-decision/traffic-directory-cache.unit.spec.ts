import type { DirectionPause, TrafficWindow } from '../partner-traffic/partner-traffic.state';
import { DecisionCache, MAX_CACHED_DECISIONS } from './decision-cache';
import { TrafficDirectory, type PartnerFacts } from './traffic-directory';

// The directory keeps each pair's answer until a write or the next edge of its pauses and windows on the clock.
const at = (iso: string) => Date.parse(iso);
const now = at('2026-11-23T10:00:00.000Z');
const partner = (overrides: Partial<PartnerFacts> = {}): PartnerFacts => ({
  partnerId: 'prt_1',
  account: 'acc',
  tenant: 't1',
  as2Id: 'ACME',
  name: 'Acme',
  active: true,
  deleted: false,
  stationId: null,
  ...overrides,
});
const pause = (overrides: Partial<DirectionPause> = {}): DirectionPause => ({ response: null, reason: 'audit', since: '', until: null, retryAfterSeconds: null, pausedBy: 'x', ...overrides });
const windowOf = (startsAt: string, endsAt: string, overrides: Partial<TrafficWindow> = {}): TrafficWindow => ({
  windowId: 'win_1',
  direction: 'both',
  startsAt,
  endsAt,
  response: 'http_422',
  reason: 'maintenance',
  scheduledBy: 'x',
  ...overrides,
});
const noTraffic = { pauses: { incoming: null, outgoing: null }, windows: [] };

function directory(): TrafficDirectory {
  const d = new TrafficDirectory();
  d.putInstance({ instanceId: 'ins_1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'on' });
  d.putPartner(partner());
  d.putPartner(partner({ partnerId: 'prt_m', tenant: null, as2Id: 'MASTER' }));
  return d;
}
const outbound = (d: TrafficDirectory, to = 'ACME', t = now, tenant: string | null = null) => d.decide('acc', tenant, 'outbound', 'US', to, t);
const inbound = (d: TrafficDirectory, from = 'ACME', t = now, tenant: string | null = null) => d.decide('acc', tenant, 'inbound', from, 'US', t);

describe('traffic directory: decisions kept per pair', () => {
  it('answers a pair asked again with the same decision, without resolving it again', () => {
    const d = directory();
    const first = outbound(d);
    expect(d.cachedDecisions).toBe(1);
    expect(outbound(d)).toBe(first);
    expect(inbound(d)).not.toBe(first);
    expect(d.cachedDecisions).toBe(2);
  });

  it.each([
    ['a pause', (d: TrafficDirectory) => d.putTraffic('acc', 't1', 'prt_1', { ...noTraffic, pauses: { incoming: null, outgoing: pause() } }), 'block'],
    ['the partner deleted', (d: TrafficDirectory) => d.putPartner(partner({ deleted: true })), 'reject'],
    ['the partner inactive', (d: TrafficDirectory) => d.putPartner(partner({ active: false })), 'reject'],
    ['the instance off', (d: TrafficDirectory) => d.putInstance({ instanceId: 'ins_1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'off' }), 'reject'],
    ['the instance removed', (d: TrafficDirectory) => d.removeInstance('ins_1'), 'reject'],
    ['a partnership with another partner', (d: TrafficDirectory) => d.putPartnership({ partnershipId: 'pns_1', account: 'acc', tenant: 't1', as2InstanceId: 'ins_1', partnerId: 'prt_m' }), 'reject'],
  ])('a write drops every kept decision: %s', (_, write, expected) => {
    const d = directory();
    expect(outbound(d).decision).toBe('accept');
    write(d);
    expect(d.cachedDecisions).toBe(0);
    expect(outbound(d).decision).toBe(expected);
  });

  it('a partnership removed drops the kept refusal', () => {
    const d = directory();
    d.putPartnership({ partnershipId: 'pns_1', account: 'acc', tenant: 't1', as2InstanceId: 'ins_1', partnerId: 'prt_m' });
    expect(outbound(d).reasonCode).toBe('PARTNERSHIP_NOT_FOUND');
    d.removePartnership('pns_1');
    expect(outbound(d).decision).toBe('accept');
  });

  it('a resume drops the kept block', () => {
    const d = directory();
    d.putTraffic('acc', 't1', 'prt_1', { ...noTraffic, pauses: { incoming: null, outgoing: pause() } });
    expect(outbound(d).decision).toBe('block');
    d.putTraffic('acc', 't1', 'prt_1', noTraffic);
    expect(outbound(d).decision).toBe('accept');
  });

  it('a window starts and ends at its edges with no write in between, to the millisecond', () => {
    const d = directory();
    d.putTraffic('acc', 't1', 'prt_1', { ...noTraffic, windows: [windowOf('2026-11-23T11:00:00.000Z', '2026-11-23T12:00:00.000Z')] });
    expect(outbound(d).decision).toBe('accept');
    expect(outbound(d, 'ACME', at('2026-11-23T10:59:59.999Z')).decision).toBe('accept');
    expect(outbound(d, 'ACME', at('2026-11-23T11:00:00.000Z'))).toMatchObject({ decision: 'block', reasonCode: 'TENANT_WINDOW' });
    expect(inbound(d, 'ACME', at('2026-11-23T11:30:00.000Z'))).toMatchObject({ decision: 'reject_422', reasonCode: 'TENANT_WINDOW' });
    expect(outbound(d, 'ACME', at('2026-11-23T11:59:59.999Z')).decision).toBe('block');
    expect(outbound(d, 'ACME', at('2026-11-23T12:00:00.000Z')).decision).toBe('accept');
    // A clock read earlier (a request that started before another was answered) still gets its own instant's answer.
    expect(outbound(d, 'ACME', at('2026-11-23T11:00:00.000Z')).decision).toBe('block');
    expect(outbound(d, 'ACME', now).decision).toBe('accept');
  });

  it("a window of the other direction, or of the account's scope, also bounds the kept answer", () => {
    const d = directory();
    d.putTraffic('acc', 't1', 'prt_m', { ...noTraffic, windows: [windowOf('2026-11-23T11:00:00.000Z', '2026-11-23T12:00:00.000Z', { direction: 'incoming' })] });
    d.putTraffic('acc', null, 'prt_m', { ...noTraffic, windows: [windowOf('2026-11-23T10:30:00.000Z', '2026-11-23T10:45:00.000Z', { direction: 'outgoing' })] });
    expect(outbound(d, 'MASTER').decision).toBe('accept');
    expect(outbound(d, 'MASTER', at('2026-11-23T10:30:00.000Z'))).toMatchObject({ decision: 'block', reasonCode: 'ACCOUNT_WINDOW' });
    expect(outbound(d, 'MASTER', at('2026-11-23T11:15:00.000Z')).decision).toBe('accept');
    expect(inbound(d, 'MASTER', at('2026-11-23T10:30:00.000Z')).decision).toBe('accept');
    expect(inbound(d, 'MASTER', at('2026-11-23T11:15:00.000Z'))).toMatchObject({ decision: 'reject_422', reasonCode: 'TENANT_WINDOW' });
  });

  it("a pause's until ends the kept block at that instant", () => {
    const d = directory();
    d.putTraffic('acc', 't1', 'prt_1', { ...noTraffic, pauses: { incoming: null, outgoing: pause({ until: '2026-11-23T10:10:00.000Z' }) } });
    expect(outbound(d).decision).toBe('block');
    expect(outbound(d, 'ACME', at('2026-11-23T10:09:59.999Z')).decision).toBe('block');
    expect(outbound(d, 'ACME', at('2026-11-23T10:10:00.000Z')).decision).toBe('accept');
  });

  it("a 503's retry-after counts down with the clock: never kept", () => {
    const d = directory();
    d.putTraffic('acc', 't1', 'prt_1', { ...noTraffic, pauses: { incoming: pause({ response: 'http_503_retry', until: '2026-11-23T10:10:00.000Z' }), outgoing: null } });
    expect(inbound(d)).toMatchObject({ decision: 'defer_503', retryAfterSeconds: 600 });
    expect(inbound(d, 'ACME', now + 60_000)).toMatchObject({ decision: 'defer_503', retryAfterSeconds: 540 });
    expect(d.cachedDecisions).toBe(0);
  });

  it("another tenant's claim never gets a pair kept for a tenant, nor the other way round", () => {
    const d = directory();
    d.putInstance({ instanceId: 'ins_2', account: 'acc', tenant: 't2', myAs2Id: 'US2', status: 'on' });
    expect(outbound(d, 'ACME', now, 't1')).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_1' } });
    expect(outbound(d, 'ACME', now, 't2')).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND', partner: null });
    expect(outbound(d, 'ACME', now, 't1').decision).toBe('accept');
    expect(d.decide('other', null, 'outbound', 'US', 'ACME', now)).toMatchObject({ decision: 'reject', partner: null });
    expect(outbound(d, 'ACME', now, null).decision).toBe('accept');
  });

  it('the did-you-mean of an unknown pair is kept, and dropped when a partner takes that id', () => {
    const d = directory();
    expect(outbound(d, 'acme ').reason).toContain('did you mean "ACME"');
    d.putPartner(partner({ partnerId: 'prt_2', as2Id: 'acme ' }));
    expect(outbound(d, 'acme ')).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_2' } });
  });
});

describe('decision cache', () => {
  it('holds at most MAX_CACHED_DECISIONS pairs: one more empties it', () => {
    const cache = new DecisionCache<number>();
    const always = { from: -Infinity, until: Infinity };
    for (let i = 0; i < MAX_CACHED_DECISIONS; i += 1) cache.put('acc', null, 'outbound', `P${i}`, 'US', i, always);
    expect(cache.entries).toBe(MAX_CACHED_DECISIONS);
    cache.put('acc', null, 'outbound', 'P0', 'US', 0, always);
    expect(cache.entries).toBe(MAX_CACHED_DECISIONS);
    cache.put('acc', null, 'outbound', 'NEW', 'US', -1, always);
    expect(cache.entries).toBe(1);
    expect(cache.get('acc', null, 'outbound', 'P1', 'US', now)).toBeUndefined();
    expect(cache.get('acc', null, 'outbound', 'NEW', 'US', now)).toBe(-1);
  });

  it('answers only inside the span, per direction', () => {
    const cache = new DecisionCache<string>();
    cache.put('acc', 't1', 'inbound', 'ACME', 'US', 'kept', { from: 10, until: 20 });
    expect([9, 10, 19, 20].map((t) => cache.get('acc', 't1', 'inbound', 'ACME', 'US', t))).toEqual([undefined, 'kept', 'kept', undefined]);
    expect(cache.get('acc', 't1', 'outbound', 'ACME', 'US', 15)).toBeUndefined();
    expect(cache.get('acc', null, 'inbound', 'ACME', 'US', 15)).toBeUndefined();
  });
});
