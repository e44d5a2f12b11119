import { capturedLogLines, createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';

describe('the traffic decision routes log why a request got 401, as every route does (README), never the token', () => {
  const log = capturedLogLines();
  let t: EmbeddedTestApp;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [TrafficControlModule], env: { LOG_LEVEL: 'info' }, logDestination: log.stream });
  });
  afterAll(() => t?.close());

  it.each(['/v1/traffic/decisions', '/v1/traffic/decisions:batch'])('%s', async (url) => {
    const token = t.token({ roles: ['gateway'], tenant: null });
    const forged = `${token.slice(0, -4)}AAAA`;
    const answers = [];
    const tag = url.endsWith('batch') ? 'batch' : 'one';
    for (const [authorization, correlationId] of [[`Bearer ${forged}`, `forged-${tag}`], [undefined, `none-${tag}`], ['Basic eDp5', `basic-${tag}`]] as const) {
      const res = await t.app.inject({ method: 'POST', url, payload: {}, headers: { ...(authorization ? { authorization } : {}), 'x-correlation-id': correlationId } });
      const line = log.json().find((entry) => entry['correlationId'] === correlationId && String(entry['msg']).startsWith('401'));
      answers.push([res.statusCode, line?.['context'], line?.['url'], String(line?.['reason'])]);
    }
    expect(answers).toEqual([
      [401, 'JwtAuthGuard', url, expect.stringMatching(/signature/i)],
      [401, 'JwtAuthGuard', url, 'no Authorization header'],
      [401, 'JwtAuthGuard', url, 'the Authorization header is not a bearer JWT'],
    ]);
    expect(log.lines.join('\n')).not.toContain(forged.split('.')[2]);
  });
});
