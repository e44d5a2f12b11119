import { connect, type AddressInfo, type Socket } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import { HotPathRoutes } from './hot-path-routes';

describe('the HTTP server while the app closes (HotPathRoutes.serverFactory)', () => {
  it('answers every request after refuseFromNowOn() with 503 in the house error shape and closes its connection; the app sees none', async () => {
    const hotPath = new HotPathRoutes(1024 * 1024);
    const reached: string[] = [];
    const server = hotPath.serverFactory()((request, response) => {
      reached.push(String(request.url));
      response.end('app');
    }, {} as FastifyServerOptions);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${base}/before`)).text()).toBe('app');
      hotPath.refuseFromNowOn();
      const refused = await fetch(`${base}/v1/partners`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('connection')).toBe('close');
      expect(await refused.json()).toEqual({ message: 'Service unavailable.', error: { type: 'api_error', code: 'SERVICE_UNAVAILABLE' } });
      expect(reached).toEqual(['/before']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('closes a connection that has sent nothing at once, not after the request timeout; one still sending its headers gets that time', async () => {
    const hotPath = new HotPathRoutes(1024 * 1024);
    const server = hotPath.serverFactory()((_request, response) => response.end('app'), { requestTimeout: 60_000 } as FastifyServerOptions);
    const accepted: Socket[] = [];
    server.on('connection', (socket: Socket) => accepted.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const connected = (bytes: string) =>
      new Promise<Socket>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          if (bytes) socket.write(bytes);
          resolve(socket);
        });
        socket.on('error', () => undefined);
      });
    const silent = await connected('');
    const sending = await connected('GET /x HTTP/1.1\r\nHost: x\r\n');
    try {
      // Both accepted, and the partial headers read, before the server begins to close.
      while (accepted.length < 2 || !accepted.some((socket) => socket.bytesRead > 0)) await new Promise((resolve) => setImmediate(resolve));
      const silentClosed = new Promise((resolve) => silent.once('close', resolve));
      hotPath.refuseFromNowOn();
      await silentClosed;
      expect(sending.destroyed).toBe(false);
    } finally {
      sending.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('closes within the request timeout with clients still sending their request and a keep-alive client, and lets a running handler finish', async () => {
    // The request timeout and the slow handler on a fake clock; the sockets are real.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const until = async (condition: () => boolean) => {
      while (!condition()) await new Promise((resolve) => setImmediate(resolve));
    };
    const hotPath = new HotPathRoutes(1024 * 1024);
    let slowRead = false;
    const server = hotPath.serverFactory()((request, response) => {
      request.resume();
      request.once('end', () => {
        slowRead = true;
        setTimeout(() => response.end('slow but answered'), 600);
      });
    }, { requestTimeout: 200 } as FastifyServerOptions);
    const connections: Socket[] = [];
    server.on('connection', (socket: Socket) => connections.push(socket));
    const cutOff = () => connections.filter((socket) => socket.destroyed).length;
    try {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const opened = (bytes: string): Promise<{ text: () => string; received: Promise<string> }> =>
        new Promise((resolve) => {
          let text = '';
          const socket = connect(port, '127.0.0.1', () => {
            socket.write(bytes);
            resolve({ text: () => text, received: new Promise((ended) => socket.once('close', () => ended(text))) });
          });
          socket.on('data', (chunk) => (text += String(chunk)));
          socket.on('error', () => undefined);
        });
      const inHeaders = await opened('GET /x HTTP/1.1\r\nHost: x\r\n');
      const inBody = await opened('POST /x HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{');
      const running = await opened('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
      await until(() => slowRead && connections.length === 3);
      hotPath.refuseFromNowOn();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await jest.advanceTimersByTimeAsync(199);
      expect(cutOff()).toBe(0);
      await jest.advanceTimersByTimeAsync(1);
      // At the request timeout the two clients still sending are cut off; the running handler keeps its connection.
      expect(cutOff()).toBe(2);
      await jest.advanceTimersByTimeAsync(400);
      await until(() => running.text().endsWith('slow but answered'));
      expect(running.text()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Connection: close\r\n[\s\S]*slow but answered$/);
      await closed;
      expect([await inHeaders.received, await inBody.received, await running.received]).toEqual(['', '', running.text()]);
    } finally {
      jest.useRealTimers();
      server.closeAllConnections();
    }
  });
});
