import type { TrafficScope, TrafficWindow } from '@as2-partners/traffic-control-domain';
import type { PartnerTrafficDocument } from './partner-traffic.document';
import { presentTrafficState, presentWindows } from './traffic-state.presenter';

const NOW = Date.parse('2030-01-07T08:00:00.000Z');
const at = (hours: number) => new Date(NOW + hours * 3_600_000).toISOString();
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
