import type { DirectionPause, TrafficWindow } from '../partner-traffic/partner-traffic.state';
import { decideTraffic, type DecisionFacts, type ScopeTraffic } from './traffic-decision';

const now = Date.parse('2026-11-23T10:00:00.000Z');
const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();
const pause = (response: DirectionPause['response'], extra: Partial<DirectionPause> = {}): DirectionPause => ({
  response,
  reason: 'why',
  since: iso(-1000),
  until: null,
  retryAfterSeconds: null,
  pausedBy: 'alice',
  ...extra,
});
const scope = (incoming: DirectionPause | null, outgoing: DirectionPause | null = null, windows: TrafficWindow[] = []): ScopeTraffic => ({ pauses: { incoming, outgoing }, windows });
const window: TrafficWindow = { windowId: 'w', direction: 'both', startsAt: iso(-1000), endsAt: iso(60_000), response: 'http_422', reason: 'maint', scheduledBy: 'a' };
const base: DecisionFacts = {
  instance: { status: 'on', myAs2Id: 'US' },
  partner: { name: 'Acme', active: true, deleted: false },
  notFound: null,
  accountTraffic: null,
  tenantTraffic: null,
};

// Each row: the facts, the direction, then the expected decision and reason code. Earlier rules win over later ones.
const table: [string, Partial<DecisionFacts>, 'inbound' | 'outbound', string, string][] = [
  ['nothing paused', {}, 'inbound', 'accept', 'NOT_PAUSED'],
  ['nothing paused, outbound', {}, 'outbound', 'accept', 'NOT_PAUSED'],
  ['unknown pair', { partner: null, notFound: 'no partner has the AS2 id "x"; did you mean "X"?' }, 'inbound', 'reject', 'PARTNER_NOT_FOUND'],
  ['unknown instance', { instance: null, notFound: 'no AS2 instance' }, 'outbound', 'reject', 'PARTNER_NOT_FOUND'],
  ['instance off beats everything', { instance: { status: 'off', myAs2Id: 'US' }, partner: { name: 'A', active: false, deleted: true }, accountTraffic: scope(pause('success_mdn')) }, 'inbound', 'reject', 'AS2_INSTANCE_OFF'],
  ['instance off, outbound too', { instance: { status: 'off', myAs2Id: 'US' } }, 'outbound', 'reject', 'AS2_INSTANCE_OFF'],
  ['deleted partner beats pauses', { partner: { name: 'A', active: true, deleted: true }, tenantTraffic: scope(pause('http_422')) }, 'inbound', 'reject', 'PARTNER_NOT_FOUND'],
  ['inactive partner beats pauses', { partner: { name: 'A', active: false, deleted: false }, accountTraffic: scope(pause('http_422')) }, 'inbound', 'reject', 'PARTNER_INACTIVE'],
  ['inactive partner beats a missing partnership', { partner: { name: 'A', active: false, deleted: false }, partnershipMissing: true }, 'inbound', 'reject', 'PARTNER_INACTIVE'],
  ['instance off beats a missing partnership', { instance: { status: 'off', myAs2Id: 'US' }, partnershipMissing: true }, 'outbound', 'reject', 'AS2_INSTANCE_OFF'],
  ['a missing partnership beats pauses', { partnershipMissing: true, accountTraffic: scope(pause('success_mdn')) }, 'inbound', 'reject', 'PARTNERSHIP_NOT_FOUND'],
  ['a missing partnership, outbound too', { partnershipMissing: true, tenantTraffic: scope(null, pause(null)) }, 'outbound', 'reject', 'PARTNERSHIP_NOT_FOUND'],
  ['account pause beats tenant pause', { accountTraffic: scope(pause('error_mdn')), tenantTraffic: scope(pause('http_422')) }, 'inbound', 'error_mdn', 'ACCOUNT_PAUSE'],
  ['tenant pause beats a window', { tenantTraffic: scope(pause('success_mdn'), null, [window]) }, 'inbound', 'success_mdn', 'TENANT_PAUSE'],
  ['tenant pause http_422', { tenantTraffic: scope(pause('http_422')) }, 'inbound', 'reject_422', 'TENANT_PAUSE'],
  ['tenant pause http_503_retry', { tenantTraffic: scope(pause('http_503_retry')) }, 'inbound', 'defer_503', 'TENANT_PAUSE'],
  ['incoming pause leaves outbound alone', { tenantTraffic: scope(pause('http_422')) }, 'outbound', 'accept', 'NOT_PAUSED'],
  ['outgoing pause blocks outbound', { tenantTraffic: scope(null, pause(null)) }, 'outbound', 'block', 'TENANT_PAUSE'],
  ['an expired until no longer pauses', { tenantTraffic: scope(pause('http_422', { until: iso(0) })) }, 'inbound', 'accept', 'NOT_PAUSED'],
  ['account window beats tenant window', { accountTraffic: scope(null, null, [window]), tenantTraffic: scope(null, null, [{ ...window, response: 'error_mdn' }]) }, 'inbound', 'reject_422', 'ACCOUNT_WINDOW'],
  ['a running window pauses', { tenantTraffic: scope(null, null, [window]) }, 'outbound', 'block', 'TENANT_WINDOW'],
  ['a window not yet started does not', { tenantTraffic: scope(null, null, [{ ...window, startsAt: iso(1) }]) }, 'inbound', 'accept', 'NOT_PAUSED'],
  ['a window is over at ends_at', { tenantTraffic: scope(null, null, [{ ...window, endsAt: iso(0) }]) }, 'inbound', 'accept', 'NOT_PAUSED'],
];

describe('decision precedence', () => {
  it.each(table)('%s', (_name, facts, direction, decision, code) => {
    const answer = decideTraffic(direction, { ...base, ...facts }, now);
    expect([answer.decision, answer.reasonCode]).toEqual([decision, code]);
  });

  it('success_mdn holds the message; error_mdn carries the unexpected-processing-error disposition and a pause text', () => {
    const success = decideTraffic('inbound', { ...base, tenantTraffic: scope(pause('success_mdn')) }, now);
    expect(success).toMatchObject({ hold: true, mdn: { disposition: 'automatic-action/MDN-sent-automatically; processed' } });
    const error = decideTraffic('inbound', { ...base, tenantTraffic: scope(pause('error_mdn')) }, now);
    expect(error.mdn?.disposition).toBe('automatic-action/MDN-sent-automatically; processed/error: unexpected-processing-error');
    expect(error.mdn?.text).toMatch(/temporarily paused/);
    expect(error.hold).toBeUndefined();
  });

  it('defer_503 retries after the operator\'s seconds, else until the pause or window ends, else 300 s', () => {
    expect(decideTraffic('inbound', { ...base, tenantTraffic: scope(pause('http_503_retry', { retryAfterSeconds: 42 })) }, now).retryAfterSeconds).toBe(42);
    expect(decideTraffic('inbound', { ...base, tenantTraffic: scope(pause('http_503_retry', { until: iso(90_500) })) }, now).retryAfterSeconds).toBe(91);
    expect(decideTraffic('inbound', { ...base, tenantTraffic: scope(pause('http_503_retry')) }, now).retryAfterSeconds).toBe(300);
    // an `until` years away asks for a retry within a day, as an explicit value may at most
    expect(decideTraffic('inbound', { ...base, tenantTraffic: scope(pause('http_503_retry', { until: '9999-12-31T00:00:00Z' })) }, now).retryAfterSeconds).toBe(86_400);
    expect(decideTraffic('inbound', { ...base, tenantTraffic: scope(pause('http_503_retry', { until: iso(3 * 86_400_000) })) }, now).retryAfterSeconds).toBe(86_400);
    const w = { ...window, response: 'http_503_retry' as const };
    expect(decideTraffic('inbound', { ...base, tenantTraffic: scope(null, null, [w]) }, now).retryAfterSeconds).toBe(60);
  });

  it("a window's defer_503 retries once the direction is free: after a longer window that holds it on, of either scope, not at the first one's end", () => {
    const shorter = { ...window, windowId: 'short', startsAt: iso(-500), endsAt: iso(60_000), response: 'http_503_retry' as const };
    const longer = { ...window, windowId: 'long', direction: 'incoming' as const, startsAt: iso(-2000), endsAt: iso(120_000), response: 'http_503_retry' as const };
    const chained = { ...window, windowId: 'chained', direction: 'incoming' as const, startsAt: iso(120_000), endsAt: iso(180_000), response: 'http_503_retry' as const };
    const answer = decideTraffic('inbound', { ...base, tenantTraffic: scope(null, null, [longer, shorter]) }, now);
    expect([answer.reason, answer.retryAfterSeconds]).toEqual(['TENANT_WINDOW: maint', 120]);
    // an account window held on by a tenant's that starts as it ends
    const acrossScopes = decideTraffic('inbound', { ...base, accountTraffic: scope(null, null, [shorter]), tenantTraffic: scope(null, null, [{ ...longer, startsAt: iso(60_000) }, chained]) }, now);
    expect([acrossScopes.reasonCode, acrossScopes.retryAfterSeconds]).toEqual(['ACCOUNT_WINDOW', 180]);
    // an operator's pause with an end, and a window that holds the direction past it: come back after the window
    const pausedThenWindow = { tenantTraffic: scope(pause('http_503_retry', { until: iso(60_000) }), null, [{ ...longer, startsAt: iso(20_000), endsAt: iso(300_000) }]) };
    const paused = decideTraffic('inbound', { ...base, ...pausedThenWindow }, now);
    expect([paused.reasonCode, paused.retryAfterSeconds]).toEqual(['TENANT_PAUSE', 300]);
    // the account's pause ending before the tenant's: after the tenant's
    const twoLevels = decideTraffic('inbound', { ...base, accountTraffic: scope(pause('http_503_retry', { until: iso(30_000) })), tenantTraffic: scope(pause('http_503_retry', { until: iso(90_000) })) }, now);
    expect([twoLevels.reasonCode, twoLevels.retryAfterSeconds]).toEqual(['ACCOUNT_PAUSE', 90]);
    // outgoing is held by the shorter one alone
    expect(decideTraffic('inbound', { ...base, tenantTraffic: scope(null, null, [{ ...shorter, direction: 'both' }]) }, now).retryAfterSeconds).toBe(60);
  });

  it('the reason of an unknown pair carries the did-you-mean text', () => {
    const answer = decideTraffic('inbound', { ...base, partner: null, notFound: 'no partner has the AS2 id "acme"; did you mean "ACME"?' }, now);
    expect(answer.reason).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "acme"; did you mean "ACME"?');
  });
});
