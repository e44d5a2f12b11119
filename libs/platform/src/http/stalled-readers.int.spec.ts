import { connect, type AddressInfo, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { FastifyServerOptions } from 'fastify';
import { HotPathRoutes } from './hot-path-routes';

const BIG = Buffer.alloc(24 * 1024 * 1024, 0x61);
const MIB = 1024 * 1024;

describe('the HTTP server and a client that stops reading its answer (HotPathRoutes.serverFactory)', () => {
  it('closes the connection of a client that takes none of its answer for the request timeout; a client that reads, however slowly, gets it whole', async () => {
    const hotPath = new HotPathRoutes(1024 * 1024);
    // Written a MiB at a time as the client takes it (a stream piped into the answer): a reader, however slow, is seen taking it.
    const server = hotPath.serverFactory()((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG.length });
      Readable.from(Array.from({ length: BIG.length / MIB }, (_, i) => BIG.subarray(i * MIB, (i + 1) * MIB))).pipe(response);
    }, { requestTimeout: 2000 } as FastifyServerOptions);
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

      // A client that takes its answer slowly (a MiB every 200 ms, 5 s in all) keeps its connection to the end.
      const slow = connect(port, '127.0.0.1', () => slow.write('GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      let received = 0;
      slow.on('data', (chunk: Buffer) => {
        received += chunk.length;
        slow.pause();
        setTimeout(() => slow.resume(), received % MIB < chunk.length ? 200 : 0);
      });
      await new Promise<void>((resolve, reject) => {
        slow.once('end', () => resolve());
        slow.once('error', reject);
      });
      expect(received).toBeGreaterThan(BIG.length);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 20_000);
});
