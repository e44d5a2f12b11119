import { connect, type AddressInfo, type Socket } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import { HotPathRoutes } from './hot-path-routes';

const BIG = Buffer.alloc(24 * 1024 * 1024, 0x61);

describe('the HTTP server and a client that stops reading its answer (HotPathRoutes.serverFactory)', () => {
  it('closes the connection of a client that takes none of its answer for the request timeout; a client that reads gets it whole', async () => {
    const hotPath = new HotPathRoutes(1024 * 1024);
    const server = hotPath.serverFactory()((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG.length });
      response.end(BIG);
    }, { requestTimeout: 3000 } as FastifyServerOptions);
    const serverSide = new Promise<Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      // Sends its request and never reads: the server's answer waits in its memory until the connection is closed.
      const stalled = connect(port, '127.0.0.1', () => stalled.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n'));
      stalled.pause();
      stalled.on('error', () => undefined);
      const held = await serverSide;
      await new Promise<void>((resolve) => held.once('close', () => resolve()));
      stalled.destroy();

      const read = await fetch(`http://127.0.0.1:${port}/big`);
      expect((await read.arrayBuffer()).byteLength).toBe(BIG.length);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 20_000);
});
