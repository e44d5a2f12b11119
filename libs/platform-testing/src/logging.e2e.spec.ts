import { Injectable, Logger, Module } from '@nestjs/common';
import { FollowedProjection, type FollowedProjectionDependencies, type ReadModelStore, type RecordedEvent } from '@as2-partners/kernel';
import { createRootLogger, provideFollowedProjection, requestLogger } from '@as2-partners/platform';
import { capturedLogLines } from './captured-log-lines';
import { createEmbeddedTestApp, type EmbeddedTestApp } from './create-embedded-test-app';
import { DemoModule } from './demo.module';

/** Fails on its first try of every event: a consumer log line (the retry) for the spec to read. */
@Injectable()
class FailingOnceProjection extends FollowedProjection {
  readonly name = 'failing-once';
  private readonly tried = new Set<string>();
  private readonly logger = new Logger('FailingOnceProjection');

  constructor(followed: FollowedProjectionDependencies, private readonly readModels: ReadModelStore) {
    super(followed);
  }

  protected accepts(event: RecordedEvent): boolean {
    return event.type === 'demo.thing-created.v1';
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    this.logger.log(`Applying ${event.type}`);
    if (!this.tried.has(event.id)) {
      this.tried.add(event.id);
      throw new Error('first try fails');
    }
    await this.readModels.collection('failing_once').put({ _id: event.id });
  }

  protected async clear(): Promise<void> {
    await this.readModels.collection('failing_once').clear();
  }
}

@Module({ providers: [provideFollowedProjection(FailingOnceProjection, 'FailingOnce')] })
class FailingOnceModule {}

describe('one JSON log format (embedded app, lines captured)', () => {
  const log = capturedLogLines();
  let t: EmbeddedTestApp;
  let token: string;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({
      imports: [DemoModule, FailingOnceModule],
      env: { LOG_LEVEL: 'info', FOLLOWER_RETRY_INITIAL_MS: '1', FOLLOWER_RETRY_MAX_MS: '5' },
      logDestination: log.stream,
    });
    token = t.token({ sub: 'alice', tenant: 'tenant-a' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('every line of a start is one JSON object with level, time, service, msg, and none is an error', () => {
    const entries = log.json();
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      expect(entry).toMatchObject({ level: expect.any(String), time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/), service: 'as2-partners', msg: expect.any(String) });
    }
    expect(entries.filter((e) => e.level === 'error' || e.level === 'fatal')).toEqual([]);
    // Nest's own start-up lines are among them, in the same shape.
    expect(entries).toEqual(expect.arrayContaining([expect.objectContaining({ context: 'ProjectionLifecycle', msg: expect.stringContaining('Projections started') })]));
  });

  it('a request line carries the route, status, correlation id, tenant and user, and never the token', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/demo/things', headers: { authorization: `Bearer ${token}`, 'x-correlation-id': 'corr-log-1' }, payload: { as2_id: 'LOGGED' } });
    expect(res.statusCode).toBe(201);
    const line = log.json().find((e) => e.msg === 'request completed' && e.correlationId === 'corr-log-1');
    expect(line).toMatchObject({ level: 'info', method: 'POST', route: '/demo/things', statusCode: 201, account: 'test-account', tenant: 'tenant-a', user: 'alice', requestId: expect.any(String) });
    expect(log.lines.join('\n')).not.toContain(token);
  });

  it("a request's logger comes from requestLogger (pino's child made only once the request writes a line)", () => {
    expect(t.app.getHttpAdapter().getInstance().childLoggerFactory).toBe(requestLogger);
  });

  it('a token a client put in the query is not logged either', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/demo/things/LOGGED?access_token=${token}`, headers: { 'x-correlation-id': 'corr-log-query' } });
    expect(res.statusCode).toBe(401);
    const line = log.json().find((e) => e.msg === 'request completed' && e.correlationId === 'corr-log-query');
    expect(line?.['url']).toBe('/demo/things/LOGGED?access_token=[redacted]');
    expect(log.lines.join('\n')).not.toContain(token);
  });

  it('a consumer line carries the event and the correlation id, tenant and user of the request behind it', async () => {
    const deadline = Date.now() + 30_000;
    const retried = () => log.json().find((e) => e.context === 'FailingOnce' && String(e.msg).includes('retries event') && e.correlationId === 'corr-log-1');
    while (!retried() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(retried()).toMatchObject({ level: 'warn', type: 'demo.thing-created.v1', stream: 'thing-LOGGED', tenant: 'tenant-a', user: 'alice', account: 'test-account', error: 'first try fails' });
  });

  it('a Nest line written inside a request carries its request id, correlation id, tenant and user without being told', () => {
    const completed = log.json().find((e) => e.msg === 'request completed' && e.correlationId === 'corr-log-1');
    const line = log.json().find((e) => e.context === 'DemoController' && e.msg === 'Creating demo thing LOGGED');
    expect(line).toMatchObject({ level: 'info', requestId: completed?.['requestId'], correlationId: 'corr-log-1', account: 'test-account', tenant: 'tenant-a', user: 'alice', traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    // Lines outside any request (start-up) carry none of it.
    expect(log.json().find((e) => e.context === 'ProjectionLifecycle')).not.toHaveProperty('requestId');
  });

  it('a Nest line written while a consumer handles an event carries the event and the correlation id, tenant and user behind it', async () => {
    const deadline = Date.now() + 30_000;
    const applying = () => log.json().filter((e) => e.context === 'FailingOnceProjection' && e.correlationId === 'corr-log-1');
    while (applying().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const [first, retry] = applying();
    expect(first).toMatchObject({ msg: 'Applying demo.thing-created.v1', consumer: 'failing-once', eventId: expect.any(String), eventType: 'demo.thing-created.v1', causationId: expect.any(String), account: 'test-account', tenant: 'tenant-a', user: 'alice' });
    expect(retry?.['eventId']).toBe(first?.['eventId']);
    // Handled by a follower, not by the request: the request's own id is not claimed for it.
    expect(first).not.toHaveProperty('requestId');
  });

  it("logs why a verified caller got 403 on a Nest route, and its request line names the caller, as a hot path's 403 does", async () => {
    const reader = t.token({ sub: 'bob', tenant: 'tenant-a', roles: ['tenant_user'] });
    const res = await t.app.inject({ method: 'POST', url: '/demo/things', headers: { authorization: `Bearer ${reader}`, 'x-correlation-id': 'corr-403' }, payload: { as2_id: 'REFUSED' } });
    expect(res.statusCode).toBe(403);
    const reason = log.json().find((e) => e.correlationId === 'corr-403' && String(e.msg).startsWith('403'));
    expect(reason).toMatchObject({ level: 'info', context: 'RolesGuard', reason: 'the token has none of the roles the route takes (tenant_admin, account_admin)', account: 'test-account', tenant: 'tenant-a', url: '/demo/things' });
    const line = log.json().find((e) => e.msg === 'request completed' && e.correlationId === 'corr-403');
    expect(line).toMatchObject({ statusCode: 403, account: 'test-account', tenant: 'tenant-a', user: 'bob' });
    expect(log.lines.join('\n')).not.toContain(reader);
  });

  it('logs why a request got 401, without the token', async () => {
    const forged = `${token.slice(0, -4)}AAAA`;
    const res = await t.app.inject({ method: 'GET', url: '/demo/whoami', headers: { authorization: `Bearer ${forged}`, 'x-correlation-id': 'corr-401' } });
    expect(res.statusCode).toBe(401);
    const line = log.json().find((e) => e.correlationId === 'corr-401' && String(e.msg).startsWith('401'));
    expect(line).toMatchObject({ level: 'info', context: 'JwtAuthGuard', reason: expect.stringMatching(/signature/i), url: '/demo/whoami' });
    expect((await t.app.inject({ method: 'GET', url: '/demo/whoami', headers: { 'x-correlation-id': 'corr-401b' } })).statusCode).toBe(401);
    expect(log.json().find((e) => e.correlationId === 'corr-401b' && String(e.msg).startsWith('401'))).toMatchObject({ reason: 'no Authorization header' });
    expect(log.lines.join('\n')).not.toContain(forged.split('.')[2]);
  });

  it('logs the shutdown', async () => {
    await t.close();
    const messages = log.json().map((e) => String(e.msg));
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/^Shutting down/), 'Shut down']));
    t = undefined as unknown as EmbeddedTestApp;
  });
});

describe('the root logger', () => {
  it('redacts authorization headers, passwords, secrets and tokens wherever they sit', () => {
    const log = capturedLogLines();
    const logger = createRootLogger({ level: 'info', service: 'redaction-check', destination: log.stream });
    logger.info({ req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=1' } }, password: 'hunter2', settings: { password: 'p4ss', http: { password: 'deep' } }, token: 't0k' }, 'sensitive');
    const [line] = log.json();
    expect(line).toMatchObject({ level: 'info', service: 'redaction-check', msg: 'sensitive', password: '[redacted]', token: '[redacted]' });
    for (const secret of ['abc.def.ghi', 'sid=1', 'hunter2', 'p4ss', 'deep', 't0k']) expect(log.lines[0]).not.toContain(secret);
  });
});
