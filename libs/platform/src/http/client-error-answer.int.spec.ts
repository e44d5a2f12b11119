import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { answerClientError } from './client-error-answer';

/** What one raw connection got back: everything until the server closed it. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

/** The status lines in order (a body without a line end runs into the next answer's status line). */
const statusLines = (text: string) => text.match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? [];

describe('answerClientError on a real server: a refused request after pipelined ones', () => {
  let server: Server;
  let port: number;
  const handled: string[] = [];

  beforeAll(async () => {
    // Answers slowly, as a write that waits for its store does.
    server = createServer((request, response) => {
      handled.push(`${request.method} ${request.url}`);
      request.resume();
      request.on('end', () => setTimeout(() => response.end(`done ${request.url}`), 50));
    });
    server.on('clientError', (error, socket) => answerClientError(error as Error & { code?: string }, socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('answers the requests before it first, in order, then its own 400 in the house shape, then closes', async () => {
    const good = (path: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`;
    const received = await exchange(port, `${good('/first')}${good('/second')}GET /bad HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n`);
    expect(statusLines(received)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 400 Bad Request']);
    expect(received.indexOf('done /first')).toBeLessThan(received.indexOf('done /second'));
    expect(received).toContain('"code":"BAD_REQUEST"');
    expect(handled).toEqual(['POST /first', 'POST /second']);
  });

  it('answers a refusal with nothing before it at once', async () => {
    const received = await exchange(port, 'GET /bad HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n');
    expect(statusLines(received)).toEqual(['HTTP/1.1 400 Bad Request']);
  });
});
