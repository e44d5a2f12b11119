import type { AddressInfo } from 'node:net';
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
});
