import { InMemoryEventStore } from '@as2-partners/kernel-testing';
import type { NewEvent } from '@as2-partners/kernel';
import { LiveTrafficDirectory } from '../../directory/live-traffic-directory';
import { OutboundBlockRecorder } from '../../reactions/outbound-blocked/outbound-block-recorder';
import { TrafficDecisions } from './traffic-decisions';

/** An event store that is down until told otherwise (as a lost EventStoreDB or SQLite file would be). */
class FlakyStore extends InMemoryEventStore {
  down = true;
  override async append(stream: string, events: readonly NewEvent[], expected: Parameters<InMemoryEventStore['append']>[2]) {
    if (this.down) throw new Error('event store unreachable');
    return super.append(stream, events, expected);
  }
}

const now = Date.parse('2026-11-23T10:00:00.000Z');
const pause = { response: null, reason: 'audit', since: '2026-11-23T09:00:00.000Z', until: null, retryAfterSeconds: null, pausedBy: 'alice' };

function setUp() {
  const live = new LiveTrafficDirectory();
  live.directory.putInstance({ instanceId: 'ins_1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'on' });
  live.directory.putPartner({ partnerId: 'prt_1', account: 'acc', tenant: 't1', as2Id: 'ACME', name: 'Acme', active: true, deleted: false, stationId: null });
  live.directory.putTraffic('acc', 't1', 'prt_1', { pauses: { incoming: null, outgoing: pause }, windows: [] });
  live.applied('partner-registry', 41);
  live.applied('traffic-control', 7);
  const store = new FlakyStore();
  const recorder = new OutboundBlockRecorder(store);
  return { store, recorder, directory: live.directory, decisions: new TrafficDecisions(live, recorder, () => now) };
}

describe('traffic decisions', () => {
  it('answer from memory while the event store is down, and record the blocks once it is back, each once', async () => {
    const { store, recorder, decisions } = setUp();
    const answer = decisions.decide('acc', null, { direction: 'outbound', as2_from: 'US', as2_to: 'ACME', message_id: '<m1@x>', channel: 'sftp' });
    expect(answer).toEqual({ decision: 'block', reason_code: 'TENANT_PAUSE', reason: 'TENANT_PAUSE: audit', message_id: '<m1@x>', partner_id: 'prt_1', as2_instance_id: 'ins_1' });
    decisions.decide('acc', null, { direction: 'outbound', as2_from: 'US', as2_to: 'ACME', message_id: '<m2@x>' });
    expect(decisions.asOf()).toEqual({ partner_registry: 41, traffic_control: 7 });

    await expect(recorder.flush()).rejects.toThrow(/wait for the event store/);
    await expect(recorder.flush()).rejects.toThrow();
    store.down = false;
    await recorder.flush();
    await recorder.flush();
    const recorded = await store.readStream('traffic_block-prt_1');
    expect(recorded.map((e) => (e.data as { messageId: string }).messageId)).toEqual(['<m1@x>', '<m2@x>']);
    expect(recorded[0].data).toMatchObject({ channel: 'sftp', as2From: 'US', as2To: 'ACME', tenant: 't1', blockedAt: new Date(now).toISOString() });
    await recorder.beforeApplicationShutdown();
  });

  it('records every block, also those answered from the kept decision of their pair', async () => {
    const { store, recorder, directory, decisions } = setUp();
    store.down = false;
    const ids = Array.from({ length: 5 }, (_, i) => `<m${i}@x>`);
    for (const id of ids) expect(decisions.decide('acc', null, { direction: 'outbound', as2_from: 'US', as2_to: 'ACME', message_id: id }).decision).toBe('block');
    expect(directory.cachedDecisions).toBe(1);
    await recorder.flush();
    expect((await store.readStream('traffic_block-prt_1')).map((e) => (e.data as { messageId: string }).messageId)).toEqual(ids);
    await recorder.beforeApplicationShutdown();
  });

  it("writes a batch's answer as the very JSON text of its answers, whatever the ids and reasons hold", async () => {
    const { store, recorder, directory, decisions } = setUp();
    store.down = false;
    const tricky = 'ODD "message_id":"" \\ \u00e9';
    directory.putPartner({ partnerId: 'prt_2', account: 'acc', tenant: 't1', as2Id: tricky, name: 'Odd', active: true, deleted: false, stationId: null });
    directory.putPartner({ partnerId: 'prt_3', account: 'acc', tenant: 't1', as2Id: 'MDN', name: 'Mdn', active: true, deleted: false, stationId: null });
    directory.putTraffic('acc', 't1', 'prt_2', { pauses: { incoming: { ...pause, response: 'success_mdn' }, outgoing: null }, windows: [] });
    directory.putTraffic('acc', 't1', 'prt_3', {
      pauses: { incoming: { ...pause, response: 'error_mdn' }, outgoing: null },
      windows: [{ windowId: 'w', direction: 'outgoing', startsAt: '2026-11-23T09:00:00.000Z', endsAt: '2026-11-23T11:00:00.000Z', response: null, reason: 'window "x"', scheduledBy: 'a' }],
    });
    directory.putTraffic('acc', 't1', 'prt_1', { pauses: { incoming: { ...pause, response: 'http_503_retry', until: '2026-11-23T10:05:00.000Z' }, outgoing: pause }, windows: [] });
    const requests = [
      { direction: 'outbound', as2_from: 'US', as2_to: 'ACME', message_id: '<m1@x>', channel: 'sftp' },
      { direction: 'inbound', as2_from: 'ACME', as2_to: 'US', message_id: '"message_id":""' },
      { direction: 'inbound', as2_from: tricky, as2_to: 'US', message_id: 'a\\b"c\u2028' },
      { direction: 'outbound', as2_from: 'US', as2_to: tricky, message_id: 'm' },
      { direction: 'inbound', as2_from: 'MDN', as2_to: 'US', message_id: 'n' },
      { direction: 'outbound', as2_from: 'US', as2_to: 'MDN', message_id: 'o' },
      { direction: 'outbound', as2_from: 'US', as2_to: 'acme', message_id: 'p' },
      { direction: 'outbound', as2_from: 'US', as2_to: 'ACME', message_id: '<m1@x>' },
    ] as const;
    const text = decisions.decideAllAsJson('acc', null, requests);
    const answers = requests.map((r) => decisions.decide('acc', null, r));
    expect(text).toBe(JSON.stringify({ decisions: answers, as_of: decisions.asOf() }));
    expect(answers.map((a) => a.decision)).toEqual(['block', 'defer_503', 'success_mdn', 'accept', 'error_mdn', 'block', 'reject', 'block']);
    await recorder.flush();
    expect((await store.readStream('traffic_block-prt_1')).length).toBe(4);
    await recorder.beforeApplicationShutdown();
  });

  it('an accepted or rejected message records nothing', async () => {
    const { store, recorder, decisions } = setUp();
    store.down = false;
    expect(decisions.decide('acc', null, { direction: 'inbound', as2_from: 'ACME', as2_to: 'US', message_id: 'a' }).decision).toBe('accept');
    expect(decisions.decide('acc', null, { direction: 'outbound', as2_from: 'US', as2_to: 'NOBODY', message_id: 'b' }).decision).toBe('reject');
    await recorder.flush();
    expect(await store.readAll()).toEqual([]);
    await recorder.beforeApplicationShutdown();
  });

  it('records each block as its own event (time-ordered id, its own message), blocks of one instant and tenant sharing their metadata', async () => {
    const { store, recorder, directory, decisions } = setUp();
    store.down = false;
    directory.putPartner({ partnerId: 'prt_2', account: 'acc', tenant: 't2', as2Id: 'BETA', name: 'Beta', active: true, deleted: false, stationId: null });
    directory.putInstance({ instanceId: 'ins_2', account: 'acc', tenant: 't2', myAs2Id: 'US2', status: 'on' });
    directory.putTraffic('acc', 't2', 'prt_2', { pauses: { incoming: null, outgoing: pause }, windows: [] });
    const block = (from: string, to: string, id: string, at = now) => decisions.decide('acc', null, { direction: 'outbound', as2_from: from, as2_to: to, message_id: id }, at).decision;
    expect([block('US', 'ACME', 'a'), block('US2', 'BETA', 'b'), block('US', 'ACME', 'a'), block('US', 'ACME', 'c', now + 1)]).toEqual(['block', 'block', 'block', 'block']);
    await recorder.flush();
    const events = await store.readAll();
    expect(events.map((e) => [e.stream, (e.data as { messageId: string }).messageId])).toEqual([
      ['traffic_block-prt_1', 'a'],
      ['traffic_block-prt_1', 'a'],
      ['traffic_block-prt_1', 'c'],
      ['traffic_block-prt_2', 'b'],
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(4);
    for (const e of events) expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const byMessage = (id: string) => events.filter((e) => (e.data as { messageId: string }).messageId === id);
    expect(byMessage('a').map((e) => e.metadata)).toEqual([expect.objectContaining({ account: 'acc', tenant: 't1', occurredAt: new Date(now).toISOString(), actor: { type: 'service', id: 'gateway' } }), expect.anything()]);
    expect(byMessage('a')[0]?.metadata).toEqual(byMessage('a')[1]?.metadata);
    expect(byMessage('b')[0]?.metadata).toMatchObject({ tenant: 't2', occurredAt: new Date(now).toISOString() });
    expect(byMessage('c')[0]?.metadata).toMatchObject({ tenant: 't1', occurredAt: new Date(now + 1).toISOString() });
    expect(byMessage('c')[0]?.data).toMatchObject({ blockedAt: new Date(now + 1).toISOString() });
    await recorder.beforeApplicationShutdown();
  });
});
