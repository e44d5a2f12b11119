import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { AfterStart } from './after-start';
import { RequestsInFlight } from './requests-in-flight';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await nextTurn();
};

describe('AfterStart', () => {
  it('runs nothing before begin, then the works one after another, the first ones first, none awaited by begin', async () => {
    const afterStart = new AfterStart();
    const ran: string[] = [];
    let finish: () => void = () => undefined;
    afterStart.register('walk', () => void ran.push('walk'));
    afterStart.register('restore', () => new Promise<void>((resolve) => (finish = () => (ran.push('restore done'), resolve()))), { first: true });
    await nextTurn();
    expect(ran).toEqual([]);

    afterStart.begin();
    expect(ran).toEqual([]);
    await turns(3);
    // The walk waits for the restore a request may be waiting for.
    expect(ran).toEqual([]);
    finish();
    await turns(3);
    expect(ran).toEqual(['restore done', 'walk']);
  });

  it('runs the first ones in the order they were registered, before the others', async () => {
    const afterStart = new AfterStart();
    const ran: string[] = [];
    afterStart.register('walk', () => void ran.push('walk'));
    afterStart.register('traffic refill', () => void ran.push('traffic refill'), { first: true });
    afterStart.register('restore', () => void ran.push('restore'), { first: true });
    afterStart.register('late walk', () => void ran.push('late walk'));
    afterStart.begin();
    await turns(10);
    expect(ran).toEqual(['traffic refill', 'restore', 'walk', 'late walk']);
  });

  it('runs work registered after begin too, once, and a failing work does not stop the next', async () => {
    const afterStart = new AfterStart();
    afterStart.begin();
    afterStart.begin();
    const ran: string[] = [];
    afterStart.register('failing', () => {
      throw new Error('no directory');
    });
    afterStart.register('late', () => void ran.push('late'));
    await turns(4);
    expect(ran).toEqual(['late']);
  });

  it('begins no work once the app shuts down: the one running ends, the queued ones never run, nor those registered later', async () => {
    const afterStart = new AfterStart();
    const ran: string[] = [];
    let finish: () => void = () => undefined;
    afterStart.register('restore', () => new Promise<void>((resolve) => (finish = () => (ran.push('restore done'), resolve()))));
    afterStart.register('walk', () => void ran.push('walk'));
    afterStart.begin();
    await turns(3);
    afterStart.beforeApplicationShutdown();
    afterStart.register('late walk', () => void ran.push('late walk'));
    finish();
    await turns(10);
    expect(ran).toEqual(['restore done']);
  });

  it('runs no work whose wait was under way when the app shut down', async () => {
    const requests = new RequestsInFlight();
    const afterStart = new AfterStart(requests);
    const ran: string[] = [];
    afterStart.register('refill', () => void ran.push('refill'));
    afterStart.begin();
    await nextTurn();
    afterStart.beforeApplicationShutdown();
    await turns(10);
    expect(ran).toEqual([]);
  });

  describe('on a clock of its own (the waits are measured on fake timers, not on the machine\'s load)', () => {
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
    afterEach(() => jest.useRealTimers());

    /** Lets `ms` of the fake clock pass one millisecond at a time, the turns each millisecond brings run in between. */
    const elapse = async (ms: number) => {
      for (let i = 0; i < ms; i++) {
        await jest.advanceTimersByTimeAsync(1);
        await turns(3);
      }
    };

    it('begins each work once the requests being answered are (a create at ready does not wait behind a schema compile)', async () => {
      const requests = new RequestsInFlight({ maxWaitMs: 60_000 });
      const afterStart = new AfterStart(requests);
      afterStart.quiet.quietMs = 1;
      const ran: string[] = [];
      afterStart.register('compile', () => void ran.push('compile'), { first: true });
      afterStart.register('walk', () => void ran.push('walk'));
      await requests.giveWay();
      const response = new EventEmitter();
      requests.began(response as unknown as ServerResponse);
      afterStart.begin();
      await elapse(50);
      expect(ran).toEqual([]);
      response.emit('close');
      await elapse(5);
      expect(ran).toEqual(['compile', 'walk']);
    });

    it('begins the first work only once the server has answered no request for the quiet period, however late the requests begin', async () => {
      const requests = new RequestsInFlight({ maxWaitMs: 60_000 });
      const afterStart = new AfterStart(requests);
      afterStart.quiet.quietMs = 150;
      const ran: string[] = [];
      afterStart.register('refill', () => void ran.push('refill'), { first: true });
      afterStart.register('walk', () => void ran.push('walk'));
      afterStart.begin();
      // The first create arrives after the start asked (a giveWay at that moment would not wait for it).
      await elapse(20);
      const create = new EventEmitter();
      requests.began(create as unknown as ServerResponse);
      await elapse(250);
      expect(ran).toEqual([]);
      create.emit('close');
      // The next create 50 ms after it: the quiet period counts from its answer.
      await elapse(50);
      const next = new EventEmitter();
      requests.began(next as unknown as ServerResponse);
      next.emit('close');
      await elapse(145);
      expect(ran).toEqual([]);
      await elapse(10);
      expect(ran).toEqual(['refill', 'walk']);
    });

    it('under steady load begins the work once the quiet wait has run out', async () => {
      const requests = new RequestsInFlight({ maxWaitMs: 20 });
      const afterStart = new AfterStart(requests);
      afterStart.quiet.quietMs = 60_000;
      afterStart.quiet.maxWaitMs = 200;
      const ran: string[] = [];
      afterStart.register('walk', () => void ran.push('walk'));
      afterStart.begin();
      const held = new EventEmitter();
      requests.began(held as unknown as ServerResponse);
      await elapse(195);
      expect(ran).toEqual([]);
      await elapse(10);
      expect(ran).toEqual(['walk']);
      held.emit('close');
    });
  });

  it('begins a work a reader waits for at once, with the works queued before it, without waiting for quiet or for requests; the works after it wait for quiet again', async () => {
    const requests = new RequestsInFlight({ maxWaitMs: 60_000 });
    const afterStart = new AfterStart(requests);
    afterStart.quiet.quietMs = 60_000;
    afterStart.quiet.maxWaitMs = 60_000;
    const ran: string[] = [];
    let wanted: () => void = () => undefined;
    afterStart.register('compile', () => void ran.push('compile'), { first: true });
    afterStart.register('refill', () => void ran.push('refill'), { first: true, wanted: new Promise<void>((resolve) => (wanted = resolve)) });
    afterStart.register('walk', () => void ran.push('walk'));
    afterStart.begin();
    // the decision that waits for the refill is a request being answered
    const decision = new EventEmitter();
    requests.began(decision as unknown as ServerResponse);
    await turns(5);
    expect(ran).toEqual([]);
    wanted();
    await turns(10);
    expect(ran).toEqual(['compile', 'refill']);
    decision.emit('close');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ran).toEqual(['compile', 'refill']);
  });
});
