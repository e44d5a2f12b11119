import { foldEvents } from '@as2-partners/kernel';
import { partnerConnectionDecider as decider } from './partner-connection.decider';
import type { ConnectionTested, PartnerConnectionEvent } from './partner-connection.events';

const result = (testId: string, outcome: 'success' | 'failure', minute: number): ConnectionTested['data'] => ({
  testId, account: 'acme', tenant: 't1', partnerId: 'prt_1', partnerName: 'Acme', partnerAs2Id: 'ACME', url: 'https://acme.example/as2',
  testType: 'ping', trigger: 'monitoring', outcome, results: {}, timeline: [], durationMs: 5,
  testedAt: new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString(),
});

function record(outcomes: readonly ['success' | 'failure', number][]): PartnerConnectionEvent[] {
  const history: PartnerConnectionEvent[] = [];
  outcomes.forEach(([outcome, minute], i) => history.push(...decider.decide({ type: 'record_test', result: result(`t${i}`, outcome, minute) }, foldEvents(decider, history))));
  return history;
}

describe('partner connection decider', () => {
  it('publishes a status change only when the outcome flips, never for the first test', () => {
    const history = record([['success', 0], ['success', 1], ['failure', 2], ['failure', 3], ['success', 4]]);
    expect(history.filter((e) => e.type === 'connection.status_changed.v1').map((e) => e.data)).toEqual([
      expect.objectContaining({ previousOutcome: 'success', outcome: 'failure', testId: 't2' }),
      expect.objectContaining({ previousOutcome: 'failure', outcome: 'success', testId: 't4' }),
    ]);
    expect(history.filter((e) => e.type === 'connection.tested.v1')).toHaveLength(5);
  });

  it('records a test once, and a test that finished before the latest one changes no status', () => {
    const history = record([['success', 5]]);
    const state = foldEvents(decider, history);
    expect(decider.decide({ type: 'record_test', result: result('t0', 'success', 5) }, state)).toEqual([]);
    expect(decider.decide({ type: 'record_test', result: result('late', 'failure', 1) }, state).map((e) => e.type)).toEqual(['connection.tested.v1']);
  });
});
