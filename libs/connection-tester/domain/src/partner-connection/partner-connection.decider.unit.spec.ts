import { foldEvents } from '@as2-partners/kernel';
import { partnerConnectionDecider as decider, RECORDED_IDS_KEPT } from './partner-connection.decider';
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

describe('partner connection decider: a long history', () => {
  /** A year of monitoring every 15 minutes, the outcome flipping now and then. */
  const year: PartnerConnectionEvent[] = Array.from({ length: 35_040 }, (_, i) => ({
    type: 'connection.tested.v1',
    data: { ...result(`t${i}`, i % 97 < 90 ? 'success' : 'failure', 0), testedAt: new Date(Date.UTC(2026, 0, 1) + i * 900_000).toISOString() },
  }));
  it('keeps the latest ids only (the state, and its copy per event, bounded whatever the history); a recent test is still recorded once', () => {
    const full = foldEvents(decider, year);
    expect(full.recorded).toHaveLength(RECORDED_IDS_KEPT);
    expect(full.recorded.at(-1)).toBe('t35039');
    expect(full.lastTestedAt).toBe(new Date(Date.UTC(2026, 0, 1) + 35_039 * 900_000).toISOString());
    expect(decider.decide({ type: 'record_test', result: result('t35039', 'failure', 0) }, full)).toEqual([]);
    expect(decider.decide({ type: 'record_test', result: result(`t${35_040 - RECORDED_IDS_KEPT}`, 'failure', 0) }, full)).toEqual([]);
    expect(decider.decide({ type: 'record_test', result: result('new', 'failure', 0) }, full)).not.toEqual([]);
  });

  it('a fold resumed from a snapshot (through JSON) equals the full fold and decides the same', async () => {
    const codec = decider.snapshot;
    if (!codec) throw new Error('the partner connection must have a snapshot codec');
    const full = foldEvents(decider, year);
    for (const cut of [0, 20_000, year.length]) {
      const atSnapshot = foldEvents(decider, year.slice(0, cut));
      const json = JSON.parse(JSON.stringify(codec.toJson(atSnapshot)));
      for (const restored of [codec.fromJson(json)]) {
        const resumed = year.slice(cut).reduce(decider.evolve, restored);
        expect(resumed).toEqual(full);
        for (const testId of ['t0', 't35039', 'new']) {
          const command = { type: 'record_test' as const, result: { ...result(testId, 'failure', 0), testedAt: '2027-06-01T00:00:00.000Z' } };
          expect(decider.decide(command, resumed)).toEqual(decider.decide(command, full));
        }
      }
    }
  });
});
