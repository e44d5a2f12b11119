import type { TrafficScope, TrafficWindow } from '@as2-partners/traffic-control-domain';
import { toApiTimestamp } from '@as2-partners/platform';
import type { PartnerTrafficDocument } from './partner-traffic.document';
import { presentTrafficState, presentWindows } from './traffic-state.presenter';

const NOW = Date.parse('2030-01-07T08:00:00.000Z');
const at = (hours: number) => new Date(NOW + hours * 3_600_000).toISOString();
const apiAt = (hours: number) => toApiTimestamp(at(hours));
const window = (windowId: string, starts: number, ends: number): TrafficWindow => ({
  windowId,
  direction: 'outgoing',
  startsAt: at(starts),
  endsAt: at(ends),
  response: null,
  reason: windowId,
  scheduledBy: 'someone',
});
const doc = (scope: TrafficScope, windows: TrafficWindow[], activeOutgoing: string | null = null): PartnerTrafficDocument => ({
  _id: `${scope}-stream`,
  partnerId: 'prt_1',
  account: 'acc',
  tenant: scope === 'tenant' ? 'ten' : null,
  scope,
  pauses: { incoming: null, outgoing: null },
  windows,
  activeWindows: { incoming: null, outgoing: activeOutgoing },
  paused: activeOutgoing !== null,
  nextChangeAt: null,
  revision: 0,
  updatedAt: at(-1),
});

describe("traffic state presenter: a partner's windows at both levels", () => {
  it("lists the tenant's and the account's windows not yet over, by start, each with its level", () => {
    const own = doc('tenant', [window('w_own_late', 4, 5), window('w_own_over', -3, -2)]);
    const account = doc('account', [window('w_acc', 2, 3), window('w_acc_running', -1, 1)], 'w_acc_running');
    expect(presentWindows(own, account, NOW).map((w) => [w.id, w.level, w.status])).toEqual([
      ['w_acc_running', 'account', 'active'],
      ['w_acc', 'account', 'scheduled'],
      ['w_own_late', 'tenant', 'scheduled'],
    ]);
    const state = presentTrafficState('prt_1', own, account, NOW);
    expect(state.windows).toEqual(presentWindows(own, account, NOW));
    expect(state.outgoing.active_window).toMatchObject({ id: 'w_acc_running', level: 'account' });
  });

  it("lists an account's windows once when the caller is the account (own and account are one document)", () => {
    const account = doc('account', [window('w_acc', 2, 3)]);
    expect(presentWindows(account, account, NOW).map((w) => [w.id, w.level])).toEqual([['w_acc', 'account']]);
  });

  it('lists no account level for a partner of the tenant (no account document)', () => {
    expect(presentWindows(doc('tenant', [window('w_own', 2, 3)]), null, NOW).map((w) => [w.id, w.level])).toEqual([['w_own', 'tenant']]);
    expect(presentWindows(null, null, NOW)).toEqual([]);
  });
});

describe('traffic state presenter: the next change says what really changes', () => {
  const running = (windowId: string, direction: TrafficWindow['direction'], ends: number): TrafficWindow => ({ ...window(windowId, -1, ends), direction });
  const withActive = (d: PartnerTrafficDocument, incoming: string | null, outgoing: string | null): PartnerTrafficDocument => ({ ...d, activeWindows: { incoming, outgoing }, paused: true });

  it("announces at a window's end only the directions no other running window still pauses", () => {
    // A (both) ends first; B (incoming) runs on: at A's end only outgoing resumes.
    const own = withActive(doc('tenant', [running('w_a', 'both', 1), running('w_b', 'incoming', 2)]), 'w_b', 'w_a');
    expect(presentTrafficState('prt_1', own, null, NOW).next_change).toEqual({ at: apiAt(1), direction: 'outgoing', change: 'resume', window_id: 'w_a', level: 'tenant' });
    // Whichever holds incoming on the record: the answer is the same.
    const handedOver = withActive(own, 'w_a', 'w_a');
    expect(presentTrafficState('prt_1', handedOver, null, NOW).next_change).toMatchObject({ at: apiAt(1), direction: 'outgoing', window_id: 'w_a' });
  });

  it("skips a window's end that resumes nothing (another window covers it, or a pause of either level holds) for the next real change", () => {
    const covered = withActive(doc('tenant', [running('w_short', 'outgoing', 1), running('w_long', 'outgoing', 3)]), null, 'w_long');
    expect(presentTrafficState('prt_1', covered, null, NOW).next_change).toMatchObject({ at: apiAt(3), direction: 'outgoing', change: 'resume', window_id: 'w_long' });
    const own = withActive(doc('tenant', [running('w_own', 'outgoing', 1)]), null, 'w_own');
    const account = { ...doc('account', []), pauses: { incoming: null, outgoing: { response: null, reason: 'held', since: at(-2), until: null, retryAfterSeconds: null, pausedBy: 'admin' } } } as PartnerTrafficDocument;
    expect(presentTrafficState('prt_1', own, account, NOW).next_change).toBeNull();
    // Its pause's until resumes once no window runs on past it.
    const untilThenWindow = { ...withActive(doc('tenant', [running('w_on', 'outgoing', 4)]), null, 'w_on'), pauses: { incoming: null, outgoing: { ...account.pauses.outgoing!, until: at(2) } } };
    expect(presentTrafficState('prt_1', untilThenWindow, null, NOW).next_change).toMatchObject({ at: apiAt(4), direction: 'outgoing', window_id: 'w_on' });
  });

  it("announces a window's start only for the directions it pauses: not one another pause or window already holds", () => {
    const held = { response: null, reason: 'held', since: at(-2), until: null, retryAfterSeconds: null, pausedBy: 'admin' };
    // The account holds outgoing for good: a tenant window of both directions pauses incoming only.
    const account = { ...doc('account', []), pauses: { incoming: null, outgoing: held } } as PartnerTrafficDocument;
    const own = doc('tenant', [{ ...window('w_both', 1, 2), direction: 'both' }]);
    expect(presentTrafficState('prt_1', own, account, NOW).next_change).toEqual({ at: apiAt(1), direction: 'incoming', change: 'pause', window_id: 'w_both', level: 'tenant' });
    // An outgoing window under the account's pause changes nothing, ever: no next change.
    expect(presentTrafficState('prt_1', doc('tenant', [window('w_out', 1, 2)]), account, NOW).next_change).toBeNull();
    // A tenant window inside a running account window of both: the account window's end is the first change.
    const accountWindow = withActive(doc('account', [running('w_acc', 'both', 3)]), 'w_acc', 'w_acc');
    expect(presentTrafficState('prt_1', doc('tenant', [window('w_inside', 1, 2)]), accountWindow, NOW).next_change).toEqual({ at: apiAt(3), direction: 'both', change: 'resume', window_id: 'w_acc', level: 'account' });
  });

  it('still announces a window about to start as a pause, and a lone running window of both directions as both', () => {
    const own = doc('tenant', [{ ...window('w_later', 2, 3), direction: 'both' }]);
    expect(presentTrafficState('prt_1', own, null, NOW).next_change).toEqual({ at: apiAt(2), direction: 'both', change: 'pause', window_id: 'w_later', level: 'tenant' });
    const lone = withActive(doc('tenant', [running('w_both', 'both', 1)]), 'w_both', 'w_both');
    expect(presentTrafficState('prt_1', lone, null, NOW).next_change).toMatchObject({ at: apiAt(1), direction: 'both', change: 'resume' });
  });
});
