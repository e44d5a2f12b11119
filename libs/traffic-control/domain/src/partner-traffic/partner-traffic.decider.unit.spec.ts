import { deciderSpecification } from '@as2-partners/kernel-testing';
import { foldEvents } from '@as2-partners/kernel';
import { nextChangeAt, partnerTrafficDecider, type PartnerTrafficCommand } from './partner-traffic.decider';
import type { PartnerTrafficEvent, TrafficRef } from './partner-traffic.events';

const spec = deciderSpecification(partnerTrafficDecider);
const ref: TrafficRef = { partnerId: 'prt_1', account: 'acc', tenant: 'ten', scope: 'tenant' };
const now = '2026-11-23T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(now) + minutes * 60_000).toISOString();

const pause = (overrides: Partial<Extract<PartnerTrafficCommand, { type: 'pause' }>> = {}): PartnerTrafficCommand => ({
  type: 'pause',
  ref,
  direction: 'incoming',
  response: 'success_mdn',
  reason: 'ERP migration',
  until: null,
  retryAfterSeconds: null,
  actor: 'alice',
  now,
  ...overrides,
});
const paused = (overrides: Record<string, unknown> = {}): PartnerTrafficEvent => ({
  type: 'traffic.paused.v1',
  data: {
    ...ref,
    direction: 'incoming',
    response: 'success_mdn',
    reason: 'ERP migration',
    until: null,
    retryAfterSeconds: null,
    windowId: null,
    pausedBy: 'alice',
    pausedAt: now,
    ...overrides,
  } as never,
});
const window = (windowId: string, startsAt: string, endsAt: string, direction: 'incoming' | 'outgoing' | 'both' = 'both'): Extract<PartnerTrafficCommand, { type: 'schedule_window' }> => ({
  type: 'schedule_window',
  ref,
  windowId,
  direction,
  startsAt,
  endsAt,
  response: direction === 'outgoing' ? null : 'http_503_retry',
  reason: 'maintenance',
  actor: 'alice',
  now,
});
const decideAll = (commands: PartnerTrafficCommand[]) =>
  commands.reduce<PartnerTrafficEvent[]>((events, command) => [...events, ...partnerTrafficDecider.decide(command, foldEvents(partnerTrafficDecider, events))], []);
const due = (minutes: number): PartnerTrafficCommand => ({ type: 'apply_due', actor: 'scheduler:a', now: at(minutes) });

describe('partner traffic: operator pauses', () => {
  it('given nothing, when incoming is paused, then traffic.paused records mode, reason and actor', () => {
    spec([]).when(pause()).then([paused()]);
  });

  it('changing the reason, response or until of a direction already paused keeps since at the time the pause began', () => {
    const state = foldEvents(partnerTrafficDecider, [
      paused(),
      paused({ reason: 'ERP migration, day 2', pausedAt: at(30), pausedBy: 'bob' }),
      paused({ reason: 'ERP migration, day 2', response: 'error_mdn', until: at(600), pausedAt: at(60) }),
    ]);
    expect(state.pauses.incoming).toMatchObject({ since: now, reason: 'ERP migration, day 2', response: 'error_mdn', until: at(600) });
  });

  it('a pause after a resume starts a new since', () => {
    const resumed: PartnerTrafficEvent = {
      type: 'traffic.resumed.v1',
      data: { ...ref, direction: 'incoming', trigger: 'operator', windowId: null, resumedBy: 'alice', resumedAt: at(10) },
    };
    expect(foldEvents(partnerTrafficDecider, [paused(), resumed, paused({ pausedAt: at(20) })]).pauses.incoming?.since).toBe(at(20));
  });

  it('pausing again with the same settings appends nothing; with other settings, a new paused event', () => {
    spec([paused()]).when(pause()).thenNothing();
    spec([paused()]).when(pause({ response: 'error_mdn' })).then([paused({ response: 'error_mdn' })]);
  });

  it('an incoming pause needs a response; an outgoing one refuses it; retry_after only with http_503_retry', () => {
    spec([]).when(pause({ response: null })).thenError('INVALID_TRAFFIC_SETTING', { field: 'response' });
    spec([]).when(pause({ direction: 'outgoing' })).thenError('INVALID_TRAFFIC_SETTING', { field: 'response' });
    spec([]).when(pause({ retryAfterSeconds: 60 })).thenError('INVALID_TRAFFIC_SETTING', { field: 'retry_after_seconds' });
    spec([]).when(pause({ response: 'http_503_retry', retryAfterSeconds: 60 })).then([paused({ response: 'http_503_retry', retryAfterSeconds: 60 })]);
  });

  it('until must be in the future', () => {
    spec([]).when(pause({ until: now })).thenError('UNTIL_IN_PAST', { field: 'until' });
  });

  it('resume ends a pause; resuming what is not paused appends nothing', () => {
    spec([paused()])
      .when({ type: 'resume', ref, direction: 'incoming', actor: 'bob', now: at(1) })
      .then([{ type: 'traffic.resumed.v1', data: { ...ref, direction: 'incoming', trigger: 'operator', windowId: null, resumedBy: 'bob', resumedAt: at(1), stillPaused: false } }]);
    spec([]).when({ type: 'resume', ref, direction: 'outgoing', actor: 'bob', now }).thenNothing();
  });

  it("an operator's reason for resuming is recorded on the resume", () => {
    spec([paused()])
      .when({ type: 'resume', ref, direction: 'incoming', reason: 'cut-over done', actor: 'bob', now: at(1) })
      .then([{ type: 'traffic.resumed.v1', data: { ...ref, direction: 'incoming', trigger: 'operator', windowId: null, resumedBy: 'bob', resumedAt: at(1), reason: 'cut-over done', stillPaused: false } }]);
  });

  it("a resume says whether the direction is still paused on the stream: an operator's pause and a window each hold it while the other ends", () => {
    const stillPaused = (events: PartnerTrafficEvent[]) =>
      events.filter((e) => e.type === 'traffic.resumed.v1').map((e) => [(e.data as { trigger: string }).trigger, (e.data as { stillPaused?: boolean }).stillPaused]);
    // The window ends while the operator's pause stays: the gateway keeps what it held.
    expect(stillPaused(decideAll([pause(), window('win_1', at(1), at(2), 'incoming'), due(1), due(2)]))).toEqual([['window_end', true]]);
    // The operator resumes while a window runs, then the window ends.
    expect(stillPaused(decideAll([pause(), window('win_1', at(1), at(2), 'incoming'), due(1), { type: 'resume', ref, direction: 'incoming', actor: 'bob', now: at(1) }, due(2)]))).toEqual([
      ['operator', true],
      ['window_end', false],
    ]);
    // A running window cancelled under the operator's pause.
    expect(stillPaused(decideAll([pause(), window('win_1', at(1), at(2), 'incoming'), due(1), { type: 'cancel_window', ref, windowId: 'win_1', actor: 'bob', now: at(1) }]))).toEqual([['operator', true]]);
    // A pause's until passes inside a window, and both end in one tick.
    expect(stillPaused(decideAll([pause({ until: at(2) }), window('win_1', at(1), at(3), 'incoming'), due(1), due(2), due(3)]))).toEqual([
      ['until', true],
      ['window_end', false],
    ]);
    expect(stillPaused(decideAll([pause({ until: at(2) }), window('win_1', at(1), at(2), 'incoming'), due(1), due(2)]))).toEqual([
      ['until', false],
      ['window_end', false],
    ]);
    // The other direction's pause holds nothing here.
    expect(stillPaused(decideAll([pause({ direction: 'outgoing', response: null }), window('win_1', at(1), at(2), 'incoming'), due(1), due(2)]))).toEqual([['window_end', false]]);
  });

  it('until resumes exactly once: due before it nothing, at it one resume, after it nothing more', () => {
    const events = decideAll([pause({ until: at(10) }), due(5)]);
    expect(events).toHaveLength(1);
    const afterUntil = decideAll([pause({ until: at(10) }), due(10)]);
    expect(afterUntil.map((e) => [e.type, (e.data as { trigger?: string }).trigger])).toEqual([['traffic.paused.v1', undefined], ['traffic.resumed.v1', 'until']]);
    expect(partnerTrafficDecider.decide(due(11), foldEvents(partnerTrafficDecider, afterUntil))).toEqual([]);
    expect(nextChangeAt(foldEvents(partnerTrafficDecider, decideAll([pause({ until: at(10) })])))).toBe(at(10));
    expect(nextChangeAt(foldEvents(partnerTrafficDecider, afterUntil))).toBeNull();
  });
});

describe('partner traffic: maintenance windows', () => {
  it('a window in the past or ending before it starts is refused', () => {
    spec([]).when(window('w1', at(-5), at(10))).thenError('WINDOW_IN_PAST', { field: 'starts_at' });
    spec([]).when(window('w1', at(10), at(10))).thenError('INVALID_WINDOW', { field: 'ends_at' });
  });

  it('an outgoing window refuses a response mode, as an outgoing pause does (it would be dropped unseen)', () => {
    spec([]).when({ ...window('w1', at(10), at(20), 'outgoing'), response: 'error_mdn' } as PartnerTrafficCommand).thenError('INVALID_TRAFFIC_SETTING', { field: 'response' });
  });

  it('a window pauses at starts_at and resumes at ends_at, each exactly once', () => {
    const scheduled = decideAll([window('w1', at(10), at(20), 'incoming')]);
    expect(nextChangeAt(foldEvents(partnerTrafficDecider, scheduled))).toBe(at(10));
    expect(partnerTrafficDecider.decide(due(9), foldEvents(partnerTrafficDecider, scheduled))).toEqual([]);
    const started = decideAll([window('w1', at(10), at(20), 'incoming'), due(10)]);
    expect(started.slice(1)).toEqual([
      paused({ response: 'http_503_retry', reason: 'maintenance', until: at(20), windowId: 'w1', pausedBy: 'scheduler:a', pausedAt: at(10) }),
    ]);
    expect(partnerTrafficDecider.decide(due(15), foldEvents(partnerTrafficDecider, started))).toEqual([]);
    const ended = [...started, ...partnerTrafficDecider.decide(due(20), foldEvents(partnerTrafficDecider, started))];
    expect(ended.slice(2).map((e) => [e.type, (e.data as { trigger?: string }).trigger])).toEqual([['traffic.resumed.v1', 'window_end']]);
    const state = foldEvents(partnerTrafficDecider, ended);
    expect(state.windows).toEqual([]);
    expect(partnerTrafficDecider.decide(due(21), state)).toEqual([]);
    expect(nextChangeAt(state)).toBeNull();
  });

  it('a window held over by a later one on each of its directions is next looked at when that one ends, not again and again from its past start', () => {
    // A (incoming, 10-40) begins; B (both, 20-30) begins later and holds incoming too.
    const events = decideAll([window('wA', at(10), at(40), 'incoming'), window('wB', at(20), at(30), 'both'), due(10), due(20)]);
    const held = foldEvents(partnerTrafficDecider, events);
    expect(held.activeWindows).toEqual({ incoming: 'wB', outgoing: 'wB' });
    expect(nextChangeAt(held)).toBe(at(30));
    // At B's end A takes incoming back and outgoing resumes: A's end is next.
    const after = [...events, ...partnerTrafficDecider.decide(due(30), held)];
    expect(after.slice(events.length).map((e) => [e.type, (e.data as { direction?: string }).direction, (e.data as { windowId?: string | null }).windowId])).toEqual([
      ['traffic.paused.v1', 'incoming', 'wA'],
      ['traffic.resumed.v1', 'outgoing', 'wB'],
    ]);
    expect(nextChangeAt(foldEvents(partnerTrafficDecider, after))).toBe(at(40));
  });

  it('overlapping windows of one direction merge into one spanning both; other directions stay apart', () => {
    const events = decideAll([window('w1', at(10), at(20)), window('w2', at(15), at(30)), window('w3', at(25), at(40), 'incoming')]);
    const state = foldEvents(partnerTrafficDecider, events);
    expect(state.windows.map((w) => [w.windowId, w.direction, w.startsAt, w.endsAt])).toEqual([
      ['w2', 'both', at(10), at(30)],
      ['w3', 'incoming', at(25), at(40)],
    ]);
    expect((events[1].data as unknown as { mergedWindowIds: string[] }).mergedWindowIds).toEqual(['w1']);
  });

  it('merging into a running window keeps it in effect: no resume in between', () => {
    const running = decideAll([window('w1', at(10), at(20), 'outgoing'), due(10)]);
    const merged = [...running, ...partnerTrafficDecider.decide({ ...window('w2', at(15), at(30), 'outgoing'), now: at(12) }, foldEvents(partnerTrafficDecider, running))];
    const state = foldEvents(partnerTrafficDecider, merged);
    expect(state.activeWindows.outgoing).toBe('w2');
    expect(partnerTrafficDecider.decide(due(25), state)).toEqual([]);
    expect(partnerTrafficDecider.decide(due(30), state).map((e) => e.type)).toEqual(['traffic.resumed.v1']);
  });

  it("merging into a running window announces the pause under the new window's id, reason and end; the resume names that id", () => {
    const running = decideAll([{ ...window('w1', at(10), at(20), 'incoming'), reason: 'first' }, due(10)]);
    const scheduled = partnerTrafficDecider.decide({ ...window('w2', at(15), at(30), 'incoming'), reason: 'second', now: at(12) }, foldEvents(partnerTrafficDecider, running));
    expect(scheduled.map((e) => e.type)).toEqual(['traffic.window_scheduled.v1', 'traffic.paused.v1']);
    expect(scheduled[1]!.data).toMatchObject({ direction: 'incoming', windowId: 'w2', response: 'http_503_retry', reason: 'second', until: at(30), pausedAt: at(12) });
    const ended = partnerTrafficDecider.decide(due(30), foldEvents(partnerTrafficDecider, [...running, ...scheduled]));
    expect(ended.map((e) => [e.type, (e.data as { windowId: string }).windowId])).toEqual([['traffic.resumed.v1', 'w2']]);
    // A window merging only windows still to come pauses nothing yet.
    const waiting = decideAll([window('w3', at(40), at(50), 'incoming')]);
    expect(partnerTrafficDecider.decide({ ...window('w4', at(45), at(60), 'incoming'), now: at(12) }, foldEvents(partnerTrafficDecider, waiting)).map((e) => e.type)).toEqual(['traffic.window_scheduled.v1']);
  });

  it('a window overlapping one of its direction that answers otherwise is refused WINDOW_OVERLAP, naming it: a running window keeps its answer', () => {
    const running = decideAll([window('w1', at(10), at(60), 'incoming'), window('w2', at(70), at(80), 'incoming'), due(10)]);
    const state = foldEvents(partnerTrafficDecider, running);
    // Inside the running window, spanning it and the waiting one, as `both` over an incoming one: each names the windows that answer otherwise.
    for (const [starts, ends, direction, ids] of [[30, 31, 'incoming', ['w1']], [50, 75, 'incoming', ['w1', 'w2']], [30, 31, 'both', ['w1']]] as const) {
      const inside = () => partnerTrafficDecider.decide({ ...window('w3', at(starts), at(ends), direction), response: 'http_422', now: at(12) }, state);
      expect(inside).toThrow(expect.objectContaining({ code: 'WINDOW_OVERLAP', field: 'starts_at', details: { window_ids: ids } }));
    }
    // An incoming window inside a running `both` one that answers otherwise: refused too; an outgoing one is no answer.
    const runningBoth = foldEvents(partnerTrafficDecider, decideAll([window('b1', at(10), at(60), 'both'), due(10)]));
    expect(() => partnerTrafficDecider.decide({ ...window('b2', at(30), at(31), 'incoming'), response: 'error_mdn', now: at(12) }, runningBoth)).toThrow(expect.objectContaining({ code: 'WINDOW_OVERLAP', details: { window_ids: ['b1'] } }));
    expect(partnerTrafficDecider.decide({ ...window('b3', at(30), at(31), 'outgoing'), now: at(12) }, runningBoth).map((e) => e.type)).toEqual(['traffic.window_scheduled.v1']);
    // The same answer merges; another direction, no overlap, or back to back with another answer stays apart.
    expect(partnerTrafficDecider.decide({ ...window('w4', at(30), at(31), 'incoming'), now: at(12) }, state).map((e) => e.type)).toEqual(['traffic.window_scheduled.v1', 'traffic.paused.v1']);
    expect(partnerTrafficDecider.decide({ ...window('w5', at(30), at(31), 'outgoing'), now: at(12) }, state).map((e) => e.type)).toEqual(['traffic.window_scheduled.v1']);
    expect(partnerTrafficDecider.decide({ ...window('w6', at(61), at(69), 'incoming'), response: 'http_422', now: at(12) }, state).map((e) => e.type)).toEqual(['traffic.window_scheduled.v1']);
    const backToBack = partnerTrafficDecider.decide({ ...window('w7', at(60), at(70), 'incoming'), response: 'http_422', now: at(12) }, state);
    expect(backToBack.map((e) => [e.type, (e.data as unknown as { mergedWindowIds?: string[] }).mergedWindowIds])).toEqual([['traffic.window_scheduled.v1', []]]);
  });

  it('cancelling a running window resumes its directions; an unknown window is WINDOW_NOT_FOUND', () => {
    const running = decideAll([window('w1', at(10), at(20)), due(10)]);
    const cancel: PartnerTrafficCommand = { type: 'cancel_window', ref, windowId: 'w1', actor: 'bob', now: at(11) };
    expect(partnerTrafficDecider.decide(cancel, foldEvents(partnerTrafficDecider, running)).map((e) => e.type)).toEqual([
      'traffic.resumed.v1',
      'traffic.resumed.v1',
      'traffic.window_cancelled.v1',
    ]);
    spec([]).when({ ...cancel, windowId: 'nope' }).thenError('WINDOW_NOT_FOUND');
  });

  it('cancelling the running window of a direction another running window covers hands the direction to that one: its pause, no resume', () => {
    const both = { ...window('wA', at(10), at(30), 'both'), response: 'http_422' as const };
    const incoming = { ...window('wB', at(12), at(30), 'incoming'), response: 'success_mdn' as const };
    // Windows that answer otherwise overlapping: scheduled before such windows were refused (WINDOW_OVERLAP), still in streams.
    const running = [due(10), due(12)].reduce<PartnerTrafficEvent[]>(
      (events, command) => [...events, ...partnerTrafficDecider.decide(command, foldEvents(partnerTrafficDecider, events))],
      [...decideAll([both]), ...decideAll([incoming])],
    );
    const state = foldEvents(partnerTrafficDecider, running);
    expect(state.activeWindows).toEqual({ incoming: 'wB', outgoing: 'wA' });
    const events = partnerTrafficDecider.decide({ type: 'cancel_window', ref, windowId: 'wB', actor: 'bob', now: at(13) }, state);
    const directionOf = (e: PartnerTrafficEvent) => ('direction' in e.data ? e.data.direction : null);
    expect(events.map((e) => [e.type, directionOf(e), e.type === 'traffic.paused.v1' ? [e.data.windowId, e.data.response] : null])).toEqual([
      ['traffic.paused.v1', 'incoming', ['wA', 'http_422']],
      ['traffic.window_cancelled.v1', null, null],
    ]);
    const after = foldEvents(partnerTrafficDecider, [...running, ...events]);
    expect(after.activeWindows).toEqual({ incoming: 'wA', outgoing: 'wA' });
    // Nothing more for the scheduler until wA ends, when both directions resume, once.
    expect(partnerTrafficDecider.decide(due(14), after)).toEqual([]);
    expect(partnerTrafficDecider.decide(due(30), after).map((e) => [e.type, directionOf(e), (e.data as { stillPaused?: boolean }).stillPaused])).toEqual([
      ['traffic.resumed.v1', 'incoming', false],
      ['traffic.resumed.v1', 'outgoing', false],
    ]);
  });

  it('a window that passed entirely while no scheduler ran is closed as elapsed, never paused late', () => {
    const scheduled = decideAll([window('w1', at(10), at(20))]);
    const events = partnerTrafficDecider.decide(due(60), foldEvents(partnerTrafficDecider, scheduled));
    expect(events.map((e) => [e.type, (e.data as { cause?: string }).cause])).toEqual([['traffic.window_cancelled.v1', 'elapsed']]);
  });
});
