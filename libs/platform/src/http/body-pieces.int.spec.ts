import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import { MAX_BODY_PIECES } from './body-pieces';
import { HotPathRoutes } from './hot-path-routes';

/** Sends raw bytes on a new connection; resolves with everything the server wrote before closing (or after `waitMs`). */
function exchange(port: number, bytes: Buffer, waitMs = 10_000): Promise<{ answer: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes, () => undefined));
    let received = '';
    let closed = false;
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer: received, closed });
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('close', () => {
      closed = true;
      done();
    });
    socket.on('error', () => undefined);
  });
}

const chunked = (pieces: number, pieceBytes: number, headers = '', path = '/upload'): Buffer => {
  const piece = `${pieceBytes.toString(16)}\r\n${'a'.repeat(pieceBytes)}\r\n`;
  return Buffer.from(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}Transfer-Encoding: chunked\r\n\r\n${piece.repeat(pieces)}0\r\n\r\n`);
};

const PIPELINED_GET = Buffer.from('GET /after HTTP/1.1\r\nHost: x\r\n\r\n');

const headerOf = (answer: string, name: string): string | undefined =>
  answer
    .slice(0, answer.indexOf('\r\n\r\n'))
    .split('\r\n')
    .find((line) => line.toLowerCase().startsWith(`${name}:`))
    ?.slice(name.length + 1)
    .trim();

describe('a request body in many chunks (HotPathRoutes.serverFactory)', () => {
  const read: number[] = [];
  const ALLOWED = 'https://console.example.com';
  // Reads the whole body as any route's parser does, then answers its size; `/early` answers 401 unread, as a route
  // refusing a request before its body does; a GET answers at once.
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    if (request.url === '/early' || request.method === 'GET') {
      const text = request.method === 'GET' ? 'got' : 'refused';
      response.writeHead(request.method === 'GET' ? 200 : 401, { 'content-type': 'text/plain', 'content-length': text.length });
      response.end(text);
      return;
    }
    let size = 0;
    request.on('data', (chunk: Buffer) => (size += chunk.length));
    request.on('end', () => {
      read.push(size);
      const text = String(size);
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': text.length, connection: 'close' });
      response.end(text);
    });
    request.on('error', () => undefined);
  };
  const server = new HotPathRoutes(16 * 1024 * 1024, { origin: [ALLOWED], exposedHeaders: ['X-Correlation-Id'] }).serverFactory()(handler, { requestTimeout: 30_000 } as FastifyServerOptions);
  let port = 0;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    read.length = 0;
  });

  it('answers 413 PAYLOAD_TOO_LARGE in the house shape past MAX_BODY_PIECES chunks and closes the connection, no reader getting the rest', async () => {
    const { answer, closed } = await exchange(port, chunked(MAX_BODY_PIECES + 1_000, 1));
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      message: `The body came in more than ${MAX_BODY_PIECES} chunks; send it in larger ones`,
      error: { type: 'invalid_request_error', code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(closed).toBe(true);
    expect(read).toEqual([]);
  });

  it("gives the 413 the CORS headers of the request's origin, as a route's refusal has, so a browser's page reads why", async () => {
    const allowed = await exchange(port, chunked(MAX_BODY_PIECES + 1_000, 1, `Origin: ${ALLOWED}\r\n`));
    expect(allowed.answer.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect([headerOf(allowed.answer, 'access-control-allow-origin'), headerOf(allowed.answer, 'access-control-expose-headers'), headerOf(allowed.answer, 'vary')]).toEqual([ALLOWED, 'X-Correlation-Id', 'Origin']);
    const other = await exchange(port, chunked(MAX_BODY_PIECES + 1_000, 1, 'Origin: https://evil.example\r\n'));
    expect([other.answer.split('\r\n')[0], headerOf(other.answer, 'access-control-allow-origin'), headerOf(other.answer, 'vary')]).toEqual(['HTTP/1.1 413 Payload Too Large', undefined, 'Origin']);
  });

  it('closes the connection past MAX_BODY_PIECES chunks of a body its route answered without reading (Node parsed the rest uncounted, the next request answered)', async () => {
    const { answer, closed } = await exchange(port, Buffer.concat([chunked(MAX_BODY_PIECES + 1_000, 1, '', '/early'), PIPELINED_GET]));
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
    expect(answer.endsWith('\r\n\r\nrefused')).toBe(true);
    expect(answer).not.toContain('got');
    expect(closed).toBe(true);
  });

  it('goes on to the next request after an unread body in ordinary chunks', async () => {
    const { answer } = await exchange(port, Buffer.concat([chunked(64, 1024, '', '/early'), PIPELINED_GET]), 3_000);
    expect([answer.split('\r\n')[0], answer.endsWith('\r\n\r\ngot')]).toEqual(['HTTP/1.1 401 Unauthorized', true]);
  });

  it('takes a body in ordinary chunks, and one the size of the refused one in larger chunks', async () => {
    // (a chunk the socket's reads split is two pieces: the last case leaves room for a few)
    for (const [pieces, bytes] of [[64, 1024], [300, 1000], [MAX_BODY_PIECES - 64, 4]] as const) {
      const { answer } = await exchange(port, chunked(pieces, bytes));
      expect([pieces, answer.split('\r\n')[0], answer.endsWith(`\r\n\r\n${pieces * bytes}`)]).toEqual([pieces, 'HTTP/1.1 200 OK', true]);
    }
  });
});
