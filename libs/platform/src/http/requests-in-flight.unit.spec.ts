import { createServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestsInFlight } from './requests-in-flight';

/** A real server whose requests are counted and held until the test answers them. */
async function serverHolding(requests: RequestsInFlight): Promise<{ server: Server; port: number; held: ServerResponse[] }> {
  const held: ServerResponse[] = [];
  const server = createServer((_request, response) => {
    requests.began(response);
    held.push(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, held };
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

describe('RequestsInFlight', () => {
  it('counts nothing until background work asks to give way (a process without it pays nothing per request)', async () => {
    const requests = new RequestsInFlight();
    const { server, port, held } = await serverHolding(requests);
    try {
      const answered = get(port);
      await until(() => held.length === 1);
      expect(requests.inFlight).toBe(0);
      const started = performance.now();
      await requests.giveWay(1_000);
      // The request began before anyone asked: it is not counted, so the work goes on at once.
      expect(performance.now() - started).toBeLessThan(500);
      held[0]?.end('ok');
      expect(await answered).toBe(200);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('holds the work while a request is answered and lets it go on as soon as the answer is sent', async () => {
    const requests = new RequestsInFlight();
    const { server, port, held } = await serverHolding(requests);
    try {
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
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('goes on after its longest wait under steady load, and counts a request whose client went away as ended', async () => {
    const requests = new RequestsInFlight();
    const { server, port, held } = await serverHolding(requests);
    try {
      await requests.giveWay();
      const leaving = httpRequest({ host: '127.0.0.1', port, path: '/', agent: false });
      leaving.on('error', () => undefined);
      leaving.end();
      await until(() => held.length === 1);
      const answered = get(port);
      await until(() => held.length === 2);
      expect(requests.inFlight).toBe(2);
      const started = performance.now();
      await requests.giveWay(40);
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(35);
      expect(waited).toBeLessThan(2_000);
      // The first client goes away unanswered: its request no longer holds the work.
      leaving.destroy();
      await until(() => requests.inFlight === 1);
      held[1]?.end('ok');
      await answered;
      await until(() => requests.inFlight === 0);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
