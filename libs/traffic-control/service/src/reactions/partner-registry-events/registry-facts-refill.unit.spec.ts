import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import Fastify from 'fastify';
import { InProcessEventBus, topicOf, type RecordedEvent } from '@as2-partners/kernel';
import { InMemoryEventStore, InMemoryParkedEventStore, InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import { PARTNER_REGISTRY_TOPIC_SERVICE } from '@as2-partners/partner-registry-contract';
import { AfterStart, RequestsInFlight, type RequestContext } from '@as2-partners/platform';
import type { TrafficControlConfig } from '../../config/traffic-control.config';
import { LiveTrafficDirectory } from '../../directory/live-traffic-directory';
import { TrafficTargets } from '../../partner-access/traffic-target';
import { decisionRouting } from '../../queries/traffic-decisions/decision.route';
import type { GatewayCredentials } from '../../queries/traffic-decisions/gateway-credentials';
import { TrafficDecisions } from '../../queries/traffic-decisions/traffic-decisions';
import { OutboundBlockRecorder } from '../outbound-blocked/outbound-block-recorder';
import { KnownRegistryCollections, type KnownInstanceDocument, type KnownPartnerDocument, type KnownTenantDocument } from './known-registry.documents';
import { RegistryFactsConsumer } from './registry-facts.consumer';

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};
const config = { unknownPartnerWaitMs: 0, replicaGroupSuffix: '' } as unknown as TrafficControlConfig;
const gateway = { checkCached: () => ({ ok: true, account: 'acc', tenant: null }), check: async () => ({ ok: true, account: 'acc', tenant: null }) } as unknown as GatewayCredentials;
/** Tests that wait for a whole refill of PARTNERS documents: under a second alone, seconds on a loaded machine. */
const REFILL_TEST_MS = 60_000;
/** More partners than one page of the refill, so it spans several turns. */
const PARTNERS = 2_500;

function partnerDoc(i: number): KnownPartnerDocument {
  const id = `prt_${String(i).padStart(5, '0')}`;
  return { _id: id, partnerId: id, account: 'acc', tenant: 't1', as2Id: `P${i}`, name: `Partner ${i}`, active: true, deleted: false, stationId: null };
}

/** A restart: the documents a previous run wrote, a new process's directory, its after-start work not begun. */
async function restarted(requests?: RequestsInFlight, afterStart = new AfterStart(), credentials = gateway) {
  const readModels = new InMemoryReadModelStore();
  await readModels.collection<KnownInstanceDocument>(KnownRegistryCollections.instances).put({ _id: 'ins_1', instanceId: 'ins_1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'on', deleted: false });
  const partners = readModels.collection<KnownPartnerDocument>(KnownRegistryCollections.partners);
  for (let i = 0; i < PARTNERS; i++) await partners.put(partnerDoc(i));
  const bus = new InProcessEventBus();
  const live = new LiveTrafficDirectory();
  const consumer = new RegistryFactsConsumer({ bus, readModels, parked: new InMemoryParkedEventStore() }, live, config, afterStart, requests);
  await consumer.start();
  const decisions = new TrafficDecisions(live, new OutboundBlockRecorder(new InMemoryEventStore()), () => Date.parse('2026-11-30T10:00:00.000Z'));
  const app = Fastify();
  for (const route of decisionRouting(credentials, decisions).routes) app.route(route);
  await app.ready();
  const decide = (as2From: string) =>
    app.inject({ method: 'POST', url: '/v1/traffic/decisions', headers: { authorization: 'Bearer t' }, payload: { direction: 'inbound', as2_from: as2From, as2_to: 'US', message_id: '<m@x>' } });
  const decideAll = (...as2Froms: string[]) =>
    app.inject({
      method: 'POST',
      url: '/v1/traffic/decisions:batch',
      headers: { authorization: 'Bearer t' },
      payload: { decisions: as2Froms.map((as2From, i) => ({ direction: 'inbound', as2_from: as2From, as2_to: 'US', message_id: `<m${i}@x>` })) },
    });
  return { bus, live, afterStart, consumer, decide, decideAll, app, readModels };
}

describe('the traffic directory refilled after the process is ready', () => {
  it('answers no decision before the refill has begun, then answers from all of it; finds a partner from its document meanwhile; an event meanwhile is taken at once and wins over the older document', async () => {
    const { bus, live, afterStart, consumer, decide, app } = await restarted();
    try {
      expect(live.filled).toBe(false);
      const settled: string[] = [];
      const last = decide(`P${PARTNERS - 1}`).then((r) => (settled.push('decision'), r));
      const target = new TrafficTargets(live, config).ofTenant({ caller: { account: 'acc', tenant: 't1', roles: ['tenant_admin'] } } as unknown as RequestContext, 'prt_00007').then((t) => (settled.push('target'), t));
      // Deactivated while the refill has not run: the refill's older document must not win over it.
      const event = { id: 'evt-1', type: 'partner.updated.v1', data: { partnerId: 'prt_00003', account: 'acc', tenant: 't1', changes: { active: false } }, metadata: { account: 'acc', tenant: 't1' }, stream: 'partner-prt_00003', revision: 1, position: 900 } as unknown as RecordedEvent;
      const published = bus.publish(topicOf(PARTNER_REGISTRY_TOPIC_SERVICE), [event]).then(() => settled.push('event'));
      await turns(20);
      // the event is delivered (a create waiting for its delivery does not wait for the refill), its document written; a
      // pause's target is read from the partner's document, not held until the refill
      expect([...settled].sort()).toEqual(['event', 'target']);
      expect((await consumer.partners.get('prt_00003'))?.active).toBe(false);
      expect(live.filled).toBe(false);
      expect(live.directory.partner('prt_00000')).toBeUndefined();

      afterStart.begin();
      const answer = await last;
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ decision: 'accept', partner_id: `prt_${String(PARTNERS - 1).padStart(5, '0')}`, as2_instance_id: 'ins_1' });
      expect((await target).partner.partnerId).toBe('prt_00007');
      await published;
      await live.whenFilled();
      expect(live.directory.partner('prt_00003')?.active).toBe(false);
      expect((await decide('P3')).json()).toMatchObject({ partner_id: 'prt_00003', decision: 'reject', reason_code: 'PARTNER_INACTIVE' });
      expect(live.asOf()['partner-registry']).toBe(900);
    } finally {
      await consumer.stop();
      await app.close();
    }
  }, REFILL_TEST_MS);

  it("refills a tenant's override of a master partner's `active`: that tenant's messages are refused after a restart, and a redelivered older override changes nothing", async () => {
    const { bus, live, afterStart, consumer, decide, app } = await restarted();
    try {
      await consumer.partners.put({ ...partnerDoc(0), _id: 'prt_master', partnerId: 'prt_master', tenant: null, as2Id: 'MASTER' });
      await consumer.overrides.put({ _id: 'prt_master.t1', account: 'acc', tenant: 't1', partnerId: 'prt_master', active: false, revision: 3 });
      afterStart.begin();
      expect((await decide('MASTER')).json()).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_INACTIVE', partner_id: 'prt_master' });
      const override = (revision: number, active: boolean | undefined) =>
        ({
          id: `evt-o${revision}`,
          type: 'partner.override_set.v1',
          data: { account: 'acc', tenant: 't1', masterPartnerId: 'prt_master', overrides: active === undefined ? {} : { active } },
          metadata: { account: 'acc', tenant: 't1' },
          stream: 'partner_override-acc.t1.prt_master',
          revision,
          position: 1000 + revision,
        }) as unknown as RecordedEvent;
      await bus.publish(topicOf(PARTNER_REGISTRY_TOPIC_SERVICE), [override(2, true)]);
      expect((await decide('MASTER')).json().decision).toBe('reject');
      // The tenant's whole override set afterwards holds no `active`: the master's own applies again.
      await bus.publish(topicOf(PARTNER_REGISTRY_TOPIC_SERVICE), [override(4, undefined)]);
      expect((await decide('MASTER')).json()).toMatchObject({ decision: 'accept', partner_id: 'prt_master' });
      expect(live.directory.partner('prt_master')?.active).toBe(true);
    } finally {
      await consumer.stop();
      await app.close();
    }
  }, REFILL_TEST_MS);

  it('keeps what events applied during the refill change, whether the page of their partner was read before or after them', async () => {
    const { bus, live, afterStart, consumer, decide, app } = await restarted();
    const updated = (n: number, position: number, changes: Record<string, unknown>) =>
      ({ id: `evt-${position}`, type: 'partner.updated.v1', data: { partnerId: partnerDoc(n).partnerId, account: 'acc', tenant: 't1', changes }, metadata: { account: 'acc', tenant: 't1' }, stream: `partner-${partnerDoc(n).partnerId}`, revision: position, position } as unknown as RecordedEvent);
    const created = (n: number, position: number) =>
      ({ id: `evt-${position}`, type: 'partner.created.v1', data: { partnerId: `prt_new${n}`, account: 'acc', tenant: 't1', as2Id: `NEW${n}`, settings: { name: `New ${n}`, active: true } }, metadata: { account: 'acc', tenant: 't1' }, stream: `partner-prt_new${n}`, revision: 0, position } as unknown as RecordedEvent);
    const topic = topicOf(PARTNER_REGISTRY_TOPIC_SERVICE);
    // The last page is read, then held before the refill puts it: events change its partners meanwhile.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let lastPageRead = false;
    const find = consumer.partners.find.bind(consumer.partners);
    jest.spyOn(consumer.partners, 'find').mockImplementation(async (query) => {
      const page = await find(query);
      if (page.items.some((doc) => doc.partnerId === 'prt_02400')) {
        lastPageRead = true;
        await held;
      }
      return page;
    });
    try {
      afterStart.begin();
      while (!live.directory.partner('prt_00010')) await turns(1);
      await bus.publish(topic, [updated(10, 1001, { name: 'Renamed 10' })]);
      while (!lastPageRead) await turns(1);
      await bus.publish(topic, [updated(2400, 1002, { active: false }), updated(10, 1003, { active: false })]);
      await bus.publish(topic, [updated(2400, 1004, { name: 'Renamed 2400' }), created(1, 1005)]);
      expect(live.filled).toBe(false);
      release();
      while (!live.filled) await turns(1);
      expect(live.directory.partner('prt_00010')).toMatchObject({ name: 'Renamed 10', active: false });
      expect(live.directory.partner('prt_02400')).toMatchObject({ name: 'Renamed 2400', active: false });
      expect(live.directory.partner('prt_new1')).toMatchObject({ as2Id: 'NEW1', active: true });
      expect(live.directory.partner('prt_00011')).toMatchObject({ name: 'Partner 11', active: true });
      expect((await decide('P2400')).json()).toMatchObject({ partner_id: 'prt_02400', reason_code: 'PARTNER_INACTIVE' });
      expect((await decide('NEW1')).json()).toMatchObject({ partner_id: 'prt_new1', decision: 'accept' });
    } finally {
      await consumer.stop();
      await app.close();
    }
  }, REFILL_TEST_MS);

  it('does not end the refill while an event begun during it is still writing: a page put after its memory write is put right again', async () => {
    const { bus, live, afterStart, consumer, app } = await restarted();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let writing = false;
    const put = consumer.partners.put.bind(consumer.partners);
    jest.spyOn(consumer.partners, 'put').mockImplementation(async (doc) => {
      if (doc.partnerId === 'prt_02400') {
        writing = true;
        await held;
      }
      return put(doc);
    });
    const event = { id: 'evt-2400', type: 'partner.updated.v1', data: { partnerId: 'prt_02400', account: 'acc', tenant: 't1', changes: { active: false } }, metadata: { account: 'acc', tenant: 't1' }, stream: 'partner-prt_02400', revision: 1, position: 1001 } as unknown as RecordedEvent;
    try {
      afterStart.begin();
      const published = bus.publish(topicOf(PARTNER_REGISTRY_TOPIC_SERVICE), [event]);
      while (!writing) await turns(1);
      // the pages (the last one read while the event's document is not yet written) are all put meanwhile
      while (!live.directory.partner('prt_02499')) await turns(1);
      await turns(50);
      expect(live.filled).toBe(false);
      release();
      await published;
      while (!live.filled) await turns(1);
      expect(live.directory.partner('prt_02400')?.active).toBe(false);
    } finally {
      await consumer.stop();
      await app.close();
    }
  }, REFILL_TEST_MS);

  it('spreads the refill over turns of the event loop: a page of partners per turn at most', async () => {
    const { live, afterStart, consumer, app } = await restarted();
    try {
      afterStart.begin();
      const known: number[] = [];
      while (!live.filled) {
        known.push(Array.from({ length: PARTNERS }, (_, i) => live.directory.partner(partnerDoc(i).partnerId)).filter(Boolean).length);
        await turns(1);
      }
      const steps = known.map((n, i) => n - (known[i - 1] ?? 0));
      expect(Math.max(...steps)).toBeLessThanOrEqual(1_000);
      expect(known.filter((n) => n > 0 && n < PARTNERS).length).toBeGreaterThanOrEqual(2);
    } finally {
      await consumer.stop();
      await app.close();
    }
  }, REFILL_TEST_MS);
  it('stops retrying a failed refill once the consumer is stopped (a store closed by the shutdown)', async () => {
    const { afterStart, consumer, app } = await restarted();
    const load = jest.spyOn(consumer, 'load').mockRejectedValue(new TypeError('The database connection is not open'));
    try {
      afterStart.begin();
      while (load.mock.calls.length === 0) await turns(1);
      await consumer.stop();
      // The retry waits 1 s; past it, a stopped consumer has not loaded again.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(load).toHaveBeenCalledTimes(1);
    } finally {
      await app.close();
    }
  }, REFILL_TEST_MS);
});

/** A response the server is writing: counted from `began` until it closes. */
function requestBeingAnswered(requests: RequestsInFlight): { close: () => void } {
  const response = new EventEmitter();
  requests.began(response as unknown as ServerResponse);
  return { close: () => void response.emit('close') };
}

/** The after-start work begun while a create is being answered (watched from the first ask on, so it counts), a few turns on. */
async function begunBesideACreate(requests: RequestsInFlight, afterStart: AfterStart): Promise<{ close: () => void }> {
  await requests.giveWay();
  const create = requestBeingAnswered(requests);
  afterStart.begin();
  await turns(20);
  return create;
}

/**
 * A restart whose server never goes quiet, and whose requests never time out, within the test: the after-start work
 * waits for quiet after ready, on timers of a clock that stands still (`jest.useRealTimers()` when done).
 */
async function restartedBeforeAQuietServer() {
  const requests = new RequestsInFlight({ maxWaitMs: REFILL_TEST_MS });
  const afterStart = new AfterStart(requests);
  afterStart.quiet.quietMs = 200;
  afterStart.quiet.maxWaitMs = 2_000;
  const restart = await restarted(requests, afterStart);
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
  return { ...restart, requests };
}

describe('the refill gives way to the requests being answered', () => {
  it('takes a page only when no request is being answered, and takes every page at once when a decision waits for all of it', async () => {
    // no page goes while a request is answered, however long (the longest wait is the test's)
    const requests = new RequestsInFlight({ maxWaitMs: REFILL_TEST_MS });
    const { live, afterStart, consumer, decide, app } = await restarted(requests);
    try {
      // watching from the first ask on: a request arriving after it is counted
      await requests.giveWay();
      const create = requestBeingAnswered(requests);
      expect(requests.inFlight).toBe(1);
      afterStart.begin();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // while the create is answered the refill waits between pages: at most its first page is in
      expect(live.filled).toBe(false);
      expect(live.directory.partner(`prt_${String(250).padStart(5, '0')}`)).toBeUndefined();
      expect(live.directory.partner(`prt_${String(PARTNERS - 1).padStart(5, '0')}`)).toBeUndefined();
      create.close();

      // A second request held, and a decision that waits for the directory: from then on nothing goes before the refill.
      const held = requestBeingAnswered(requests);
      const giveWay = requests.giveWay.bind(requests);
      let gaveWayWhileAwaited = 0;
      jest.spyOn(requests, 'giveWay').mockImplementation((maxWaitMs?: number) => {
        if (live.awaited) gaveWayWhileAwaited += 1;
        return giveWay(maxWaitMs);
      });
      // an unknown partner's answer ("did you mean") reads every partner: it waits for the whole refill
      const answer = await decide('NOBODY');
      expect(answer.json()).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_NOT_FOUND' });
      expect(live.filled).toBe(true);
      expect(live.awaited).toBe(false);
      // the pages after the decision began waiting did not wait for the held request
      expect(gaveWayWhileAwaited).toBe(0);
      held.close();
      expect(requests.inFlight).toBe(0);
    } finally {
      await consumer.stop();
      await app.close();
    }
  }, REFILL_TEST_MS);

  it("a decision right at ready hurries only the facts before the partners: it begins the refill, and the partners' pages then give way to requests again", async () => {
    const { requests, afterStart, live, consumer, decide, app } = await restartedBeforeAQuietServer();
    try {
      const create = await begunBesideACreate(requests, afterStart);
      expect(live.pairsAnswerable).toBe(false);
      // the decision's wait begins the refill at once, and is answered once the facts before the partners are in
      const answer = await decide('P1234');
      expect(answer.json()).toMatchObject({ decision: 'accept', partner_id: 'prt_01234' });
      expect(live.awaited).toBe(false);
      await turns(200);
      // the create is still being answered: the partners' pages wait for it (all of them would take tens of turns)
      expect(live.filled).toBe(false);
      expect(live.directory.partner(`prt_${String(PARTNERS - 1).padStart(5, '0')}`)).toBeUndefined();
      create.close();
      await live.whenFilled();
      expect(live.directory.partnerCount).toBe(PARTNERS);
    } finally {
      jest.useRealTimers();
      await consumer.stop();
      await app.close();
    }
  }, REFILL_TEST_MS);

  it('reads pages back to back while a decision waits for all of them (a turn of the loop per slice, not per page): a busy loop does not stretch the wait', async () => {
    const requests = new RequestsInFlight({ maxWaitMs: REFILL_TEST_MS });
    const { live, afterStart, consumer, decide, app } = await restarted(requests);
    // The loop's turns, counted by a tick that runs once per turn for as long as the test does.
    let turn = 0;
    let ticking = true;
    const tick = (): void => {
      turn += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const pagesPerTurn = new Map<number, number>();
    // The same documents in `_id` order, a page cut in well under a millisecond (the in-memory store's own filter
    // takes tens of ms a page): what is measured is the refill's turns, not this store.
    const ordered = Array.from({ length: PARTNERS }, (_, i) => partnerDoc(i));
    jest.spyOn(consumer.partners, 'find').mockImplementation(async (query) => {
      // a decision's look-up by AS2 id finds none of them (the pair is unknown)
      if (query.filter['as2Id'] !== undefined) return { items: [], total: 0 };
      if (live.awaited) pagesPerTurn.set(turn, (pagesPerTurn.get(turn) ?? 0) + 1);
      const after = (query.filter['_id'] as { $gt?: string } | undefined)?.$gt;
      const from = after === undefined ? 0 : ordered.findIndex((doc) => doc._id > after);
      return { items: from < 0 ? [] : ordered.slice(from, from + (query.limit ?? PARTNERS)), total: PARTNERS };
    });
    try {
      const create = await begunBesideACreate(requests, afterStart);
      // the refill gives way to the create being answered: no page is read back to back with another
      expect(live.filled).toBe(false);
      const answer = await decide('NOBODY');
      expect(answer.json()).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_NOT_FOUND' });
      // PARTNERS / 250 pages once awaited: several in one turn (each page of this store takes well under a slice)
      expect(Math.max(...pagesPerTurn.values())).toBeGreaterThanOrEqual(2);
      expect([...pagesPerTurn.values()].reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(PARTNERS / 250 - 1);
      create.close();
    } finally {
      ticking = false;
      await consumer.stop();
      await app.close();
    }
  }, REFILL_TEST_MS);

  it('waits for a quiet server after ready, but a decision that waits for the directory begins the refill at once', async () => {
    const { afterStart, live, consumer, decide, app } = await restartedBeforeAQuietServer();
    try {
      afterStart.begin();
      await turns(20);
      expect(live.directory.partner('prt_00000')).toBeUndefined();
      let answered = false;
      const answer = decide(`P${PARTNERS - 1}`).then((response) => ((answered = true), response));
      // A refill of a few pages takes tens of turns at most, however loaded the machine (one page a turn at the least).
      for (let turn = 0; turn < 1_000 && !answered; turn++) await turns(1);
      expect(answered).toBe(true);
      expect((await answer).json()).toMatchObject({ decision: 'accept', partner_id: `prt_${String(PARTNERS - 1).padStart(5, '0')}` });
      expect(live.pairsAnswerable).toBe(true);
    } finally {
      jest.useRealTimers();
      await consumer.stop();
      await app.close();
    }
  }, REFILL_TEST_MS);
});


/**
 * The partners' pages held until `release()`: the refill has every other fact in, its partners not one (a page read by
 * `_id` waits; a decision's look-up by AS2 id goes through).
 */
function partnerPagesHeld(consumer: RegistryFactsConsumer): { readonly release: () => void; readonly pagesAsked: () => number } {
  const find = consumer.partners.find.bind(consumer.partners);
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let pagesAsked = 0;
  jest.spyOn(consumer.partners, 'find').mockImplementation(async (query) => {
    if (query.filter['as2Id'] === undefined) {
      pagesAsked += 1;
      await released;
    }
    return find(query);
  });
  return { release, pagesAsked: () => pagesAsked };
}

type Restarted = Awaited<ReturnType<typeof restarted>>;

/**
 * A restart whose refill has every fact but the partners in, its partners' pages held (`held.release()` lets them go):
 * `test` runs then; `prepare` writes more documents before the refill begins.
 */
async function whileOnlyPartnersAreComing(
  test: (restart: Restarted & { readonly held: ReturnType<typeof partnerPagesHeld> }) => Promise<void>,
  options: { readonly credentials?: GatewayCredentials; readonly prepare?: (restart: Restarted) => Promise<void> } = {},
): Promise<void> {
  const restart = await restarted(undefined, new AfterStart(), options.credentials);
  await options.prepare?.(restart);
  const held = partnerPagesHeld(restart.consumer);
  try {
    restart.afterStart.begin();
    while (held.pagesAsked() === 0) await turns(1);
    await test({ ...restart, held });
  } finally {
    held.release();
    await restart.consumer.stop();
    await restart.app.close();
  }
}

describe('decisions and pause targets answered before the refill is over', () => {
  it("answers a known pair from its partners brought in ahead of their pages, as the filled directory answers it; a batch's pairs and an unknown instance too", async () => {
    await whileOnlyPartnersAreComing(async ({ live, decide, decideAll, app, held }) => {
      const early = await decide('P1234');
      expect(early.statusCode).toBe(200);
      expect(early.json()).toMatchObject({ decision: 'accept', partner_id: 'prt_01234', as2_instance_id: 'ins_1' });
      const batch = await decideAll('P7', 'P2499');
      expect(batch.statusCode).toBe(200);
      expect(batch.json().decisions).toMatchObject([
        { decision: 'accept', partner_id: 'prt_00007', message_id: '<m0@x>' },
        { decision: 'accept', partner_id: 'prt_02499', message_id: '<m1@x>' },
      ]);
      // an unknown instance's reason reads the instances only (all in)
      const unknownInstance = await app.inject({ method: 'POST', url: '/v1/traffic/decisions', headers: { authorization: 'Bearer t' }, payload: { direction: 'inbound', as2_from: 'P7', as2_to: 'us', message_id: '<m@x>' } });
      expect(unknownInstance.json()).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_NOT_FOUND', reason: 'PARTNER_NOT_FOUND: no AS2 instance has the AS2 id "us"; did you mean "US"?', as2_instance_id: null });
      // answered before the refill's end: no page of partners is in
      expect(live.filled).toBe(false);
      expect(live.directory.partner('prt_00000')).toBeUndefined();
      expect(live.directory.partnerCount).toBe(3);
      held.release();
      await live.whenFilled();
      expect(live.directory.partnerCount).toBe(PARTNERS);
      expect((await decide('P1234')).json()).toEqual(early.json());
    });
  }, REFILL_TEST_MS);

  it('holds a pair whose partner is not found (its "did you mean" reads every partner), and a batch holding one, until the refill is over', async () => {
    await whileOnlyPartnersAreComing(async ({ live, decide, decideAll, held }) => {
      const settled: string[] = [];
      const unknown = decide('p12').then((r) => (settled.push('unknown'), r));
      const batch = decideAll('P7', 'NOBODY').then((r) => (settled.push('batch'), r));
      await turns(50);
      expect(settled).toEqual([]);
      held.release();
      expect((await unknown).json()).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_NOT_FOUND', reason: 'PARTNER_NOT_FOUND: no partner has the AS2 id "p12"; did you mean "P12"?' });
      expect((await batch).json().decisions).toMatchObject([
        { decision: 'accept', partner_id: 'prt_00007' },
        { decision: 'reject', reason_code: 'PARTNER_NOT_FOUND' },
      ]);
      expect(live.filled).toBe(true);
    });
  }, REFILL_TEST_MS);

  it('waits for the whole refill when more than 1,000 partners share the AS2 id (a look-up is bounded)', async () => {
    await whileOnlyPartnersAreComing(
      async ({ live, decide, held }) => {
        let answered = false;
        const answer = decide('SHARED').then((r) => ((answered = true), r));
        // the bounded look-up itself answers in a few turns: the decision would be in by then
        expect((await decide('P7')).json()).toMatchObject({ decision: 'accept', partner_id: 'prt_00007' });
        await turns(50);
        expect(answered).toBe(false);
        held.release();
        // the instance's tenant's own partner of that id
        expect((await answer).json()).toMatchObject({ decision: 'accept', partner_id: 'prt_shared0' });
        expect(live.filled).toBe(true);
      },
      {
        prepare: async ({ consumer }) => {
          for (let i = 0; i < 1_001; i++) await consumer.partners.put({ ...partnerDoc(0), _id: `prt_shared${i}`, partnerId: `prt_shared${i}`, tenant: i === 0 ? 't1' : `ts${i}`, as2Id: 'SHARED' });
        },
      },
    );
  }, REFILL_TEST_MS);

  it("refuses a deleted tenant's gateway credential before the partners are in (the tenants come first)", () => {
    const tenantGateway = { checkCached: () => ({ ok: true, account: 'acc', tenant: 't1' }), check: async () => ({ ok: true, account: 'acc', tenant: 't1' }) } as unknown as GatewayCredentials;
    return whileOnlyPartnersAreComing(
      async ({ live, decide }) => {
        const answer = await decide('P7');
        expect(answer.statusCode).toBe(403);
        expect(answer.json()).toMatchObject({ error: { type: 'authorization_error' }, message: 'Tenant t1 was deleted: its data is closed' });
        expect(live.filled).toBe(false);
      },
      {
        credentials: tenantGateway,
        prepare: ({ readModels }) => readModels.collection<KnownTenantDocument>(KnownRegistryCollections.tenants).put({ _id: 'acc.t1', account: 'acc', tenant: 't1', notificationEmail: null, deleted: true }),
      },
    );
  }, REFILL_TEST_MS);

  it('reads the partners again when an event about them began while they were read: the older document never wins over the event; an event about another partner reads nothing again', async () => {
    await whileOnlyPartnersAreComing(async ({ bus, consumer, decide }) => {
      const find = (consumer.partners.find as jest.Mock).getMockImplementation() as (query: unknown) => Promise<{ items: KnownPartnerDocument[] }>;
      const deactivated = (n: number, position: number) =>
        ({ id: `evt-${position}`, type: 'partner.updated.v1', data: { partnerId: partnerDoc(n).partnerId, account: 'acc', tenant: 't1', changes: { active: false } }, metadata: { account: 'acc', tenant: 't1' }, stream: `partner-${partnerDoc(n).partnerId}`, revision: 1, position }) as unknown as RecordedEvent;
      const lookups: string[] = [];
      // A decision's first look-up reads the documents, then an event is applied (memory and document) before the read is handed back.
      let during: RecordedEvent | null = null;
      jest.spyOn(consumer.partners, 'find').mockImplementation(async (query) => {
        const read = await find(query);
        const as2Id = (query as { filter: Record<string, unknown> }).filter['as2Id'];
        if (typeof as2Id === 'string') {
          lookups.push(as2Id);
          const event = during;
          during = null;
          if (event) await bus.publish(topicOf(PARTNER_REGISTRY_TOPIC_SERVICE), [event]);
        }
        return read as never;
      });
      during = deactivated(9, 940);
      expect((await decide('P6')).json()).toMatchObject({ decision: 'accept', partner_id: 'prt_00006' });
      expect(lookups).toEqual(['P6']);
      during = deactivated(5, 950);
      expect((await decide('P5')).json()).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_INACTIVE', partner_id: 'prt_00005' });
      expect(lookups).toEqual(['P6', 'P5', 'P5']);
    });
  }, REFILL_TEST_MS);

  it("finds a pause's or traffic read's partner from its document while the pages are held (the directory left as it is), as the caller may see it; a delete overlapping the read is not missed", async () => {
    await whileOnlyPartnersAreComing(async ({ bus, live, consumer }) => {
      const targets = new TrafficTargets(live, config);
      const ofTenant = (tenant: string, partnerId: string) => targets.ofTenant({ caller: { account: 'acc', tenant, roles: ['tenant_admin'] } } as unknown as RequestContext, partnerId);
      expect((await ofTenant('t1', 'prt_01234')).partner).toMatchObject({ partnerId: 'prt_01234', as2Id: 'P1234', active: true });
      expect(live.directory.partner('prt_01234')).toBeUndefined();
      await expect(ofTenant('t2', 'prt_01234')).rejects.toThrow('Partner prt_01234 not found');
      await expect(ofTenant('t1', 'prt_nobody')).rejects.toThrow('Partner prt_nobody not found');
      // The document is read, then the partner's delete is applied (memory and document) before the read is handed back.
      const get = consumer.partners.get.bind(consumer.partners);
      let reads = 0;
      jest.spyOn(consumer.partners, 'get').mockImplementation(async (id) => {
        const read = await get(id);
        if (id === 'prt_00005' && (reads += 1) === 1) {
          const deleted = { id: 'evt-d5', type: 'partner.deleted.v1', data: { partnerId: 'prt_00005', account: 'acc', tenant: 't1' }, metadata: { account: 'acc', tenant: 't1' }, stream: 'partner-prt_00005', revision: 2, position: 960 } as unknown as RecordedEvent;
          await bus.publish(topicOf(PARTNER_REGISTRY_TOPIC_SERVICE), [deleted]);
        }
        return read;
      });
      await expect(ofTenant('t1', 'prt_00005')).rejects.toThrow('Partner prt_00005 not found');
      expect(reads).toBeGreaterThanOrEqual(2);
      expect(live.filled).toBe(false);
    });
  }, REFILL_TEST_MS);

  it("tells a scheduler tick whether a partner is deleted from its document while the pages are held, not after the refill", async () => {
    await whileOnlyPartnersAreComing(async ({ bus, live }) => {
      expect(await live.isPartnerDeleted('prt_01234')).toBe(false);
      expect(await live.isPartnerDeleted('prt_nobody')).toBe(false);
      const deleted = { id: 'evt-d7', type: 'partner.deleted.v1', data: { partnerId: 'prt_00007', account: 'acc', tenant: 't1' }, metadata: { account: 'acc', tenant: 't1' }, stream: 'partner-prt_00007', revision: 2, position: 960 } as unknown as RecordedEvent;
      await bus.publish(topicOf(PARTNER_REGISTRY_TOPIC_SERVICE), [deleted]);
      expect(await live.isPartnerDeleted('prt_00007')).toBe(true);
      // answered from the documents: the pages are still held
      expect(live.filled).toBe(false);
      expect(live.directory.partner('prt_01234')).toBeUndefined();
    });
  }, REFILL_TEST_MS);
});
