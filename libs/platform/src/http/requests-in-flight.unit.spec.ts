import { createServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import { GIVE_WAY_MAX_MS, RequestsInFlight } from './requests-in-flight';

/** Runs `test` with a real server whose requests are counted and held until the test answers them, closed after. */
async function withServerHolding(requests: RequestsInFlight, test: (server: { port: number; held: ServerResponse[] }) => Promise<void>): Promise<void> {
  const held: ServerResponse[] = [];
  const server: Server = createServer((_request, response) => {
    requests.began(response);
    held.push(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await test({ port: (server.address() as AddressInfo).port, held });
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

function get(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** Lets `count` turns of the event loop run. */
async function turns(count: number): Promise<void> {
  for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** Lets `ms` of the fake clock pass, and the turns that brings. */
async function elapse(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
  await turns(3);
}

describe('RequestsInFlight', () => {
  it('counts nothing until background work asks to give way (a process without it pays nothing per request)', async () => {
    const requests = new RequestsInFlight();
    await withServerHolding(requests, async ({ port, held }) => {
      const answered = get(port);
      await until(() => held.length === 1);
      expect(requests.inFlight).toBe(0);
      let resumed = false;
      const waited = requests.giveWay(10_000).then(() => void (resumed = true));
      // The request began before anyone asked: it is not counted, so the work goes on at the next turn, unanswered as it is.
      await turns(5);
      expect(resumed).toBe(true);
      await waited;
      held[0]?.end('ok');
      expect(await answered).toBe(200);
    });
  });

  it('holds the work while a request is answered and lets it go on as soon as the answer is sent', async () => {
    const requests = new RequestsInFlight();
    await withServerHolding(requests, async ({ port, held }) => {
      await requests.giveWay();
      const answered = get(port);
      await until(() => held.length === 1);
      expect(requests.inFlight).toBe(1);
      let resumed = false;
      const waited = requests.giveWay(10_000).then(() => void (resumed = true));
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(resumed).toBe(false);
      held[0]?.end('ok');
      await answered;
      await waited;
      expect(resumed).toBe(true);
      expect(requests.inFlight).toBe(0);
    });
  });

  it('goes on after its longest wait under steady load, and counts a request whose client went away as ended', async () => {
    const requests = new RequestsInFlight();
    await withServerHolding(requests, async ({ port, held }) => {
      await requests.giveWay();
      const leaving = httpRequest({ host: '127.0.0.1', port, path: '/', agent: false });
      leaving.on('error', () => undefined);
      leaving.end();
      await until(() => held.length === 1);
      const answered = get(port);
      await until(() => held.length === 2);
      expect(requests.inFlight).toBe(2);
      // The longest wait on a fake clock; the sockets stay real.
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
      try {
        let resumed = false;
        const waited = requests.giveWay(40).then(() => void (resumed = true));
        await elapse(39);
        expect(resumed).toBe(false);
        await elapse(1);
        expect(resumed).toBe(true);
        await waited;
      } finally {
        jest.useRealTimers();
      }
      // Neither request was answered: the longest wait let the work go on.
      expect(requests.inFlight).toBe(2);
      // The first client goes away unanswered: its request no longer holds the work.
      leaving.destroy();
      await until(() => requests.inFlight === 1);
      held[1]?.end('ok');
      await answered;
      await until(() => requests.inFlight === 0);
    });
  });

  it('by default holds the work for a request answered in 150 ms (a first create after a restart), without the cap cutting in', async () => {
    const requests = new RequestsInFlight();
    await withServerHolding(requests, async ({ port, held }) => {
      await requests.giveWay();
      const answered = get(port);
      await until(() => held.length === 1);
      let resumedAt = 0;
      const started = performance.now();
      const waited = requests.giveWay().then(() => void (resumedAt = performance.now() - started));
      await new Promise((resolve) => setTimeout(resolve, 150));
      // A timer late on a loaded machine may see the cap (GIVE_WAY_MAX_MS) cut in, but never before it.
      expect(resumedAt === 0 || resumedAt >= GIVE_WAY_MAX_MS - 5).toBe(true);
      held[0]?.end('ok');
      await answered;
      await waited;
      expect(resumedAt).toBeGreaterThanOrEqual(145);
    });
  });

  it('holds the work for a request that begins between the ask and the turn it was promised (a slice never opens a request\'s answer)', async () => {
    const requests = new RequestsInFlight();
    await requests.giveWay();
    let resumed = false;
    // Nothing is being answered: the work is promised the next turn (the loop's check phase).
    const waited = requests.giveWay(10_000).then(() => void (resumed = true));
    // A request's headers read before that turn (the poll phase runs first).
    const response = new EventEmitter() as unknown as ServerResponse;
    requests.began(response);
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(resumed).toBe(false);
    response.emit('close');
    await waited;
    expect(resumed).toBe(true);
    expect(requests.inFlight).toBe(0);
  });

  it('waits for the requests being answered when it asks, not for those that begin meanwhile (steady load never holds it past one answer)', async () => {
    const requests = new RequestsInFlight();
    await withServerHolding(requests, async ({ port, held }) => {
      await requests.giveWay();
      const first = get(port);
      await until(() => held.length === 1);
      let resumed = false;
      const waited = requests.giveWay(10_000).then(() => void (resumed = true));
      const second = get(port);
      await until(() => held.length === 2);
      held[0]?.end('ok');
      await first;
      await waited;
      // the second request is still being answered: it began after the ask
      expect(resumed).toBe(true);
      expect(requests.inFlight).toBe(1);
      held[1]?.end('ok');
      await second;
      await until(() => requests.inFlight === 0);
    });
  });

  describe('on a clock of its own (the quiet waits are measured on fake timers, not on the machine\'s load)', () => {
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
    afterEach(() => jest.useRealTimers());

    const response = () => new EventEmitter() as unknown as ServerResponse;

    it('is quiet once no request has been open for the period, counting requests that begin after the ask, or once its longest wait ran out', async () => {
      const requests = new RequestsInFlight();
      let quiet = false;
      const waited = requests.whenQuiet(1_000, 10_000).then(() => void (quiet = true));
      await elapse(100);
      const late = response();
      requests.began(late);
      await elapse(2_000);
      expect(quiet).toBe(false);
      late.emit('close');
      await elapse(999);
      expect(quiet).toBe(false);
      // A second after the answer, long before its longest wait (10 s) runs out.
      await elapse(1);
      expect(quiet).toBe(true);
      await waited;

      // steady load: a request always open
      const busy = response();
      requests.began(busy);
      let ranOut = false;
      const steady = requests.whenQuiet(100, 150).then(() => void (ranOut = true));
      await elapse(149);
      expect(ranOut).toBe(false);
      await elapse(1);
      expect(ranOut).toBe(true);
      await steady;
      expect(requests.inFlight).toBe(1);
      busy.emit('close');
    });
  });
});

