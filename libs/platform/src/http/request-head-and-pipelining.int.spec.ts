import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import { HotPathRoutes } from './hot-path-routes';
import { MAX_UNANSWERED_PER_CONNECTION } from './pipelined-requests';

/** Sends raw bytes on a new connection; resolves with everything the server wrote before closing (or after `waitMs`). */
function exchange(port: number, bytes: string, waitMs = 1_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let received = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('close', done);
    socket.on('error', done);
  });
}

describe('the HTTP server: ambiguous request heads and pipelined requests (HotPathRoutes.serverFactory)', () => {
  const handled: string[] = [];
  let held: ServerResponse[] = [];
  let holding = false;
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    handled.push(`${request.method} ${request.url}`);
    if (holding) {
      held.push(response);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
    response.end('ok');
  };
  const server = new HotPathRoutes(1024 * 1024).serverFactory()(handler, { requestTimeout: 5_000 } as FastifyServerOptions);
  let port = 0;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    handled.length = 0;
  });

  it('refuses Host given twice or malformed, and Authorization given twice, with 400 in the house shape before any route; an empty Host is the RFC\'s and passes', async () => {
    for (const head of [
      'Host: a\r\nHost: b\r\n',
      'Host: a b/c@d\r\n',
      'Host: x\r\nAuthorization: Bearer one\r\nauthorization: Bearer two\r\n',
    ]) {
      const answer = await exchange(port, `GET /v1/partners HTTP/1.1\r\n${head}\r\n`);
      expect([head, answer.split('\r\n')[0], /"code":"BAD_REQUEST"/.test(answer), /connection: close/i.test(answer)]).toEqual([head, 'HTTP/1.1 400 Bad Request', true, true]);
    }
    expect(handled).toEqual([]);
    for (const head of ['Host: \r\n', 'Host: api.example.com:8443\r\n', 'Host: [::1]:3000\r\n', 'Host: [fe80::1%25eth0]:80\r\n', 'Host: 10.0.0.1\r\nAuthorization: Bearer one\r\n']) {
      const answer = await exchange(port, `GET /ok HTTP/1.1\r\n${head}Connection: close\r\n\r\n`);
      expect([head, answer.split('\r\n')[0]]).toEqual([head, 'HTTP/1.1 200 OK']);
    }
    expect(handled).toHaveLength(5);
  });

  it('reads every header of a head, not the first 2,000 Node keeps by default: an Authorization or a Host given twice past them is still refused', async () => {
    const filler = Array.from({ length: 2_000 }, (_, i) => `X-H${i}: 1\r\n`).join('');
    for (const repeated of ['Authorization: Bearer two\r\n', 'Host: y\r\n']) {
      const answer = await exchange(port, `GET /v1/partners HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer one\r\n${filler}${repeated}\r\n`);
      expect([repeated, answer.split('\r\n')[0], /"code":"BAD_REQUEST"/.test(answer)]).toEqual([repeated, 'HTTP/1.1 400 Bad Request', true]);
    }
    expect(handled).toEqual([]);
    expect((await exchange(port, `GET /ok HTTP/1.1\r\nHost: x\r\n${filler}Connection: close\r\n\r\n`)).split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });

  it('refuses a transfer coding besides chunked with 501 NOT_IMPLEMENTED in the house shape, before any route (Node framed it by its chunked and read the body as plain); chunked alone passes', async () => {
    for (const codings of ['gzip, chunked', 'foo, chunked', 'deflate,chunked']) {
      const answer = await exchange(port, `POST /v1/partners HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: ${codings}\r\n\r\n2\r\n{}\r\n0\r\n\r\n`);
      expect([codings, answer.split('\r\n')[0], /"code":"NOT_IMPLEMENTED"/.test(answer), /connection: close/i.test(answer)]).toEqual([codings, 'HTTP/1.1 501 Not Implemented', true, true]);
    }
    // Codings not ending in chunked leave the body unframed: 400 before any route, one answer (not a second from the parser).
    for (const codings of ['identity', 'gzip', 'gzip, identity']) {
      const answer = await exchange(port, `POST /v1/partners HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: ${codings}\r\n\r\n{}`);
      expect([codings, answer.split('\r\n')[0], /"code":"BAD_REQUEST"/.test(answer), answer.match(/HTTP\/1\.1 /g)?.length]).toEqual([codings, 'HTTP/1.1 400 Bad Request', true, 1]);
    }
    expect(handled).toEqual([]);
    for (const codings of ['chunked', 'CHUNKED', ', chunked']) {
      const answer = await exchange(port, `POST /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: ${codings}\r\n\r\n2\r\n{}\r\n0\r\n\r\n`);
      expect([codings, answer.split('\r\n')[0]]).toEqual([codings, 'HTTP/1.1 200 OK']);
    }
  });

  it('meets Expect: 100-continue alone (in any case), and refuses 417 one that names another expectation beside it', async () => {
    for (const expectation of ['100-continue', '100-Continue', ' 100-continue ,']) {
      const answer = await exchange(port, `POST /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\nExpect: ${expectation}\r\n\r\n{}`);
      expect([expectation, answer.split('\r\n')[0], answer.includes('HTTP/1.1 200 OK')]).toEqual([expectation, 'HTTP/1.1 100 Continue', true]);
    }
    expect(handled).toHaveLength(3);
    for (const expectation of ['100-continue, foo', 'foo, 100-continue', 'foo']) {
      const answer = await exchange(port, `POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: ${expectation}\r\n\r\n{}`);
      expect([expectation, answer.split('\r\n')[0], /"code":"EXPECTATION_FAILED"/.test(answer)]).toEqual([expectation, 'HTTP/1.1 417 Expectation Failed', true]);
    }
    expect(handled).toHaveLength(3);
  });

  it('refuses a body in a content coding with 415 in the house shape, naming identity in Accept-Encoding, before any route; identity and a bodiless request pass', async () => {
    for (const head of ['Content-Encoding: gzip\r\nContent-Length: 3\r\n', 'Content-Encoding: identity, br\r\nContent-Length: 3\r\n', 'content-encoding: DEFLATE\r\nTransfer-Encoding: chunked\r\n']) {
      const body = head.includes('chunked') ? '3\r\nabc\r\n0\r\n\r\n' : 'abc';
      const answer = await exchange(port, `POST /v1/partners HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${head}\r\n${body}`);
      expect([head, answer.split('\r\n')[0], /"code":"UNSUPPORTED_MEDIA_TYPE"/.test(answer), /\r\naccept-encoding: identity\r\n/i.test(answer)]).toEqual([head, 'HTTP/1.1 415 Unsupported Media Type', true, true]);
    }
    expect(handled).toEqual([]);
    // Empty list elements are no coding (RFC 9110 §5.6.1.2).
    for (const head of ['Content-Encoding: identity\r\nContent-Length: 3\r\n', 'Content-Encoding: gzip\r\nContent-Length: 0\r\n', 'Content-Encoding: gzip\r\nContent-Length: 00\r\n', 'Content-Encoding: gzip\r\n', 'Content-Encoding: \r\nContent-Length: 3\r\n', 'Content-Encoding: identity, ,\r\nContent-Length: 3\r\n']) {
      const answer = await exchange(port, `POST /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${head}\r\n${head.includes(': 3') ? 'abc' : ''}`);
      expect([head, answer.split('\r\n')[0]]).toEqual([head, 'HTTP/1.1 200 OK']);
    }
    expect(handled).toHaveLength(6);
  });

  it('refuses a query string with an invalid percent-encoding 400 MALFORMED_URL, as the path is refused; a well-formed one passes', async () => {
    for (const target of ['/v1/partners?search=%zz', '/v1/partners?search=%FF', '/v1/partners?search=50%', '/v1/partners?a=1&b=%e2%82']) {
      const answer = await exchange(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect([target, answer.split('\r\n')[0], /"code":"MALFORMED_URL"/.test(answer)]).toEqual([target, 'HTTP/1.1 400 Bad Request', true]);
    }
    expect(handled).toEqual([]);
    for (const target of ['/ok?search=%25zz', '/ok?search=stra%C3%9Fe+x', '/ok?search=%e2%82%ac', '/ok?x=1']) {
      const answer = await exchange(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect([target, answer.split('\r\n')[0]]).toEqual([target, 'HTTP/1.1 200 OK']);
    }
    expect(handled).toHaveLength(4);
  });

  it('refuses If-Match naming an entity tag on the API\'s paths with 412 PRECONDITION_FAILED (none of its answers carries one); If-Match: * and other paths pass', async () => {
    // However the path is spelled: absolute form (RFC 9112 §3.2.2), percent-escapes the router decodes.
    for (const [target, condition] of [['/v1/partners/prt_1', '"abc"'], ['/v1/partners/prt_1', 'W/"abc", "def"'], ['/internal/v1/keys/a/sign', '"x"'], ['http://x/v1/partners/prt_1', '"a"'], ['/%761/partners/prt_1', '"a"'], ['/health/ready', '"a"']]) {
      const answer = await exchange(port, `PATCH ${target} HTTP/1.1\r\nHost: x\r\nIf-Match: ${condition}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
      expect([target, condition, answer.split('\r\n')[0], /"code":"PRECONDITION_FAILED"/.test(answer)]).toEqual([target, condition, 'HTTP/1.1 412 Precondition Failed', true]);
    }
    expect(handled).toEqual([]);
    for (const [target, condition] of [['/v1/partners/prt_1', '*'], ['/docs/openapi.json', '"abc"']]) {
      const answer = await exchange(port, `PATCH ${target} HTTP/1.1\r\nHost: x\r\nIf-Match: ${condition}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
      expect([target, condition, answer.split('\r\n')[0]]).toEqual([target, condition, 'HTTP/1.1 200 OK']);
    }
    expect(handled).toHaveLength(2);
  });

  it("tells browsers not to guess a type on the server's own refusals (X-Content-Type-Options: nosniff), as the routes' answers do", async () => {
    const refusals = await Promise.all([
      exchange(port, 'GET /ok HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'),
      exchange(port, 'GET /ok?q=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      exchange(port, 'GET /v1/x HTTP/1.1\r\nHost: x\r\nIf-Match: "a"\r\nConnection: close\r\n\r\n'),
      exchange(port, 'POST /ok HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 1\r\n\r\nx'),
      exchange(port, 'POST /ok HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 1\r\nConnection: close\r\n\r\n'),
      exchange(port, 'CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n'),
    ]);
    expect(refusals.map((answer) => [answer.split('\r\n')[0], /\r\nx-content-type-options: nosniff\r\n/i.test(answer)])).toEqual([
      ['HTTP/1.1 400 Bad Request', true],
      ['HTTP/1.1 400 Bad Request', true],
      ['HTTP/1.1 412 Precondition Failed', true],
      ['HTTP/1.1 415 Unsupported Media Type', true],
      ['HTTP/1.1 417 Expectation Failed', true],
      ['HTTP/1.1 405 Method Not Allowed', true],
    ]);
    expect(handled).toEqual([]);
  });

  it('closes a connection with more than a bounded number of pipelined requests unanswered, and keeps answering others', async () => {
    holding = true;
    held = [];
    try {
      const started = Date.now();
      const greedy = exchange(port, 'GET /docs HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(MAX_UNANSWERED_PER_CONNECTION + 1), 2_000);
      expect(await greedy).toBe('');
      // Closed by the server, not ended by the exchange's wait; only the first of its requests was worked on.
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(handled).toEqual(['GET /docs']);
    } finally {
      holding = false;
      for (const response of held) response.destroy();
    }
    // A client that pipelines a few, or none, is answered as before.
    const polite = await exchange(port, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(polite.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
  });

  it("works on a connection's pipelined requests one at a time, each once the answer before it is written, so a client reading nothing has one answer built, not all", async () => {
    holding = true;
    held = [];
    try {
      const pipelined = exchange(port, ['/first', '/second', '/third'].map((path) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''), 300);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(handled).toEqual(['GET /first']);
      holding = false;
      // The first answered: the second is worked on (and answered at once, as the handler no longer holds), then the third.
      const first = held[0];
      first.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
      first.end('ok');
      const answers = await pipelined;
      expect(handled).toEqual(['GET /first', 'GET /second', 'GET /third']);
      expect(answers.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(3);
    } finally {
      holding = false;
      for (const response of held) response.destroy();
    }
  });

  it('answers CONNECT 405 with the Allow header RFC 9110 requires', async () => {
    const answer = await exchange(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(answer).toMatch(/\r\nAllow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n/);
  });
});
