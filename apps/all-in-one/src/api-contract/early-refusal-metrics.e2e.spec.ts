import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';

/** Raw bytes over their own connection, then its end: the status of every answer that comes back, in order. */
function answersTo(port: number, bytes: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve([...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]))));
  });
}

/** The status line's code of the one answer raw bytes get. */
const sendRaw = async (port: number, bytes: string): Promise<number> => (await answersTo(port, bytes))[0] ?? 0;

/** One request over its own connection: its status once answered. */
function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { connection: 'close', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// The server answers some requests before any route (see HotPathRoutes' refuseEarly and the expectation's 417): those
// answers are counted too, under route="unmatched" as a request no route matched, so /metrics holds every answer.
describe('/metrics counts the answers the server gives before any route', () => {
  let t: EmbeddedTestApp;
  let port: number;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule] });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  }, 60_000);
  afterAll(() => t?.close());

  const unmatched = async (): Promise<Record<string, number>> => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const counts: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const match = /^as2_http_requests_total\{method="([A-Z]+)",route="unmatched",status_code="(\d+)"\} (\d+)$/.exec(line);
      if (match) counts[`${match[1]} ${match[2]}`] = Number(match[3]);
    }
    return counts;
  };

  it('a malformed query or path (400), an If-Match that cannot hold (412), a content coding (415) and an unmet expectation (417)', async () => {
    const before = await unmatched();
    const token = t.token({ roles: ['tenant_admin'] });
    const authorization = `Bearer ${token}`;
    const statuses = [
      await send(port, 'GET', '/v1/partners?search=%zz', { authorization }),
      await send(port, 'GET', '/v1/part%zzners', { authorization }),
      await send(port, 'PATCH', '/v1/partners/prt_x', { authorization, 'if-match': '"v1"', 'content-type': 'application/json' }, '{}'),
      await send(port, 'POST', '/v1/partners', { authorization, 'content-encoding': 'gzip', 'content-type': 'application/json' }, 'x'),
      await send(port, 'POST', '/v1/partners', { authorization, expect: 'bogus', 'content-type': 'application/json', 'content-length': '2' }),
    ];
    expect(statuses).toEqual([400, 400, 412, 415, 417]);
    const after = await unmatched();
    const added = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
    expect({ get400: added('GET 400'), patch412: added('PATCH 412'), post415: added('POST 415'), post417: added('POST 417') }).toEqual({ get400: 2, patch412: 1, post415: 1, post417: 1 });
  });

  it("the parser's own refusals too, their method unread: Content-Length with Transfer-Encoding (400), headers too large (431)", async () => {
    const before = await unmatched();
    const smuggled = 'POST /v1/partners HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n';
    const huge = `GET /v1/partners HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    expect([await sendRaw(port, smuggled), await sendRaw(port, huge)]).toEqual([400, 431]);
    const after = await unmatched();
    const added = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
    expect({ unknown400: added('UNKNOWN 400'), unknown431: added('UNKNOWN 431') }).toEqual({ unknown400: 1, unknown431: 1 });
  });

  it('a request a route answered before its body (401), whose body then never comes whole, gets that one answer and one count', async () => {
    const counted = async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const line = (method: string, route: string, status: string) =>
        Number(text.split('\n').find((l) => l.startsWith(`as2_http_requests_total{method="${method}",route="${route}",status_code="${status}"}`))?.split(' ').pop() ?? 0);
      return { post401: line('POST', '/v1/partners', '401'), unknown400: line('UNKNOWN', 'unmatched', '400'), unknown408: line('UNKNOWN', 'unmatched', '408') };
    };
    const before = await counted();
    // No token, and a body shorter than its Content-Length: the 401 comes before the body; then the client ends.
    expect(await answersTo(port, 'POST /v1/partners HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":')).toEqual([401]);
    const after = await counted();
    expect({ post401: after.post401 - before.post401, unknown400: after.unknown400 - before.unknown400, unknown408: after.unknown408 - before.unknown408 }).toEqual({ post401: 1, unknown400: 0, unknown408: 0 });
  });

  it('a body refused for its many chunks (413, once routed) is counted once, under its route', async () => {
    const counted = async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const line = (route: string) => Number(text.split('\n').find((l) => l.startsWith(`as2_http_requests_total{method="POST",route="${route}",status_code="413"}`))?.split(' ').pop() ?? 0);
      return { route: line('/v1/partners'), unmatched: line('unmatched') };
    };
    const before = await counted();
    const head = `POST /v1/partners HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nAuthorization: Bearer ${t.token({ roles: ['tenant_admin'] })}\r\n\r\n`;
    expect(await answersTo(port, `${head}${'1\r\n \r\n'.repeat(9_000)}0\r\n\r\n`)).toEqual([413]);
    const after = await counted();
    expect({ route: after.route - before.route, unmatched: after.unmatched - before.unmatched }).toEqual({ route: 1, unmatched: 0 });
  });
});
