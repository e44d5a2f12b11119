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

  it('closes within the request timeout with clients still sending their request and a keep-alive client, and lets a running handler finish', async () => {
    const hotPath = new HotPathRoutes(1024 * 1024);
    const server = hotPath.serverFactory()((request, response) => {
      request.resume();
      request.once('end', () => setTimeout(() => response.end('slow but answered'), 600));
    }, { requestTimeout: 200 } as FastifyServerOptions);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const opened = (bytes: string): Promise<{ socket: Socket; received: Promise<string> }> =>
      new Promise((resolve) => {
        let text = '';
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(bytes);
          resolve({ socket, received: new Promise((ended) => socket.once('close', () => ended(text))) });
        });
        socket.on('data', (chunk) => (text += String(chunk)));
        socket.on('error', () => undefined);
      });
    const inHeaders = await opened('GET /x HTTP/1.1\r\nHost: x\r\n');
    const inBody = await opened('POST /x HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{');
    const running = await opened('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const began = Date.now();
    hotPath.refuseFromNowOn();
    const closed = new Promise<number>((resolve) => server.close(() => resolve(Date.now() - began)));
    let giveUp: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([closed, new Promise<string>((resolve) => (giveUp = setTimeout(() => resolve('still open after 5 s'), 5000)))]);
    clearTimeout(giveUp);
    if (typeof outcome === 'string') server.closeAllConnections();
    expect(outcome).toBeLessThan(2000);
    expect(await running.received).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Connection: close\r\n[\s\S]*slow but answered$/);
    expect([await inHeaders.received, await inBody.received]).toEqual(['', '']);
  });
});
