import type { AddressInfo } from 'node:net';
import { capturedLogLines, createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';

describe('the traffic decision routes log why a request got 401 or 403, as every route does (README), never the token', () => {
  const log = capturedLogLines();
  let t: EmbeddedTestApp;

  let base: string;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [TrafficControlModule], env: { LOG_LEVEL: 'info' }, logDestination: log.stream });
    // Over a socket: the decision routes answer there beside Nest, outside its hooks (an injected request passes them first).
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t?.close());

  it.each(['/v1/traffic/decisions', '/v1/traffic/decisions:batch'])('%s', async (url) => {
    const token = t.token({ roles: ['gateway'], tenant: null });
    const forged = `${token.slice(0, -4)}AAAA`;
    const answers = [];
    const tag = url.endsWith('batch') ? 'batch' : 'one';
    for (const [authorization, correlationId] of [[`Bearer ${forged}`, `forged-${tag}`], [undefined, `none-${tag}`], ['Basic eDp5', `basic-${tag}`]] as const) {
      const res = await fetch(`${base}${url}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}), 'x-correlation-id': correlationId } });
      const line = log.json().find((entry) => entry['correlationId'] === correlationId && String(entry['msg']).startsWith('401'));
      answers.push([res.status, line?.['context'], line?.['url'], String(line?.['reason']), line?.['requestId']]);
    }
    // The request's own id too, as every request's lines carry it (a route outside Nest has no log context to add it).
    const requestId = expect.stringMatching(/^[0-9a-f-]{36}$/);
    expect(answers).toEqual([
      [401, 'JwtAuthGuard', url, expect.stringMatching(/signature/i), requestId],
      [401, 'JwtAuthGuard', url, 'no Authorization header', requestId],
      [401, 'JwtAuthGuard', url, 'the Authorization header is not a bearer JWT', requestId],
    ]);
    expect(log.lines.join('\n')).not.toContain(forged.split('.')[2]);
  });

  it.each(['/v1/traffic/decisions', '/v1/traffic/decisions:batch'])('%s: a verified caller without the gateway role', async (url) => {
    const correlationId = `no-gateway-role-${url.endsWith('batch') ? 'batch' : 'one'}`;
    const token = t.token({ roles: ['tenant_admin'], tenant: 't1' });
    const res = await fetch(`${base}${url}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-correlation-id': correlationId } });
    const line = log.json().find((entry) => entry['correlationId'] === correlationId && String(entry['msg']).startsWith('403'));
    expect([res.status, line?.['reason'], line?.['tenant'], line?.['url'], line?.['requestId']]).toEqual([403, 'the token lacks the gateway role', 't1', url, expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(log.lines.join('\n')).not.toContain(token.split('.')[2]);
  });
});
