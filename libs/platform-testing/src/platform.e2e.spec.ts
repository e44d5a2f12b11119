import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import * as yaml from 'js-yaml';
import { openInfrastructure } from '@as2-partners/composition';
import { INFRASTRUCTURE, loadPlatformConfig, OpenApiDocumentFiles, rebuildReadModels, rebuildSummary, type InfrastructureConnections, type ReadinessProbe } from '@as2-partners/platform';
import { createEmbeddedTestApp, TEST_JWT_SECRET, type EmbeddedTestApp } from './create-embedded-test-app';
import { DemoModule, DemoProjection, DemoTopicListener } from './demo.module';

const UNAUTHENTICATED = { message: 'Unauthenticated.', error: { type: 'authentication_error', code: 'UNAUTHENTICATED' } };
const FORBIDDEN = { message: 'This action is unauthorized.', error: { type: 'authorization_error', code: 'FORBIDDEN' } };

describe('platform edge (embedded app with a demo module)', () => {
  let t: EmbeddedTestApp;
  const bearer = (claims?: Parameters<EmbeddedTestApp['token']>[0]) => ({ authorization: `Bearer ${t.token(claims)}` });
  const post = (url: string, payload: unknown, headers: Record<string, string> = bearer()) =>
    t.app.inject({ method: 'POST', url, payload: payload as object, headers });

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [DemoModule], now: () => new Date('2026-11-23T10:00:00.000Z'), env: { BODY_LIMIT_BYTES: '2048' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('authentication', () => {
    it("signs the same token for the same claims however many seconds pass (the harness's tokens, for routes that remember one)", async () => {
      const first = t.token({ sub: 'same-claims' });
      const now = Date.now();
      const later = jest.spyOn(Date, 'now').mockReturnValue(now + 2_500);
      try {
        expect(t.token({ sub: 'same-claims' })).toBe(first);
        expect(t.token({ sub: 'other-claims' })).not.toBe(first);
      } finally {
        later.mockRestore();
      }
      const res = await t.app.inject({ method: 'GET', url: '/demo/whoami', headers: { authorization: `Bearer ${first}` } });
      expect(res.statusCode).toBe(200);
    });

    it('answers 401 without a token', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/demo/whoami' });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual(UNAUTHENTICATED);
    });

    it.each([
      ['a malformed header', 'Token abc'],
      ['a token that is not a JWT', 'Bearer not-a-jwt'],
    ])('answers 401 with %s', async (_case, authorization) => {
      const res = await t.app.inject({ method: 'GET', url: '/demo/whoami', headers: { authorization } });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual(UNAUTHENTICATED);
    });

    it('answers 401 for an expired token', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/demo/whoami', headers: bearer({ exp: Math.floor(Date.now() / 1000) - 60 }) });
      expect(res.statusCode).toBe(401);
    });

    it('answers 401 for a token with an unknown role', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/demo/whoami', headers: bearer({ roles: ['root'] }) });
      expect(res.statusCode).toBe(401);
    });

    it('hands the caller, the correlation id from the header and a fresh request id to @Ctx()', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/demo/whoami', headers: { ...bearer({ sub: 'alice', account: 'acme', tenant: 't1' }), 'x-correlation-id': 'corr-123' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-correlation-id']).toBe('corr-123');
      const ctx = res.json();
      expect(ctx).toMatchObject({ caller: { sub: 'alice', account: 'acme', tenant: 't1', roles: ['tenant_admin'] }, correlationId: 'corr-123' });
      expect(ctx.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('generates a correlation id when none (or an unusable one) is sent, and echoes it', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/demo/whoami', headers: { ...bearer(), 'x-correlation-id': 'bad id\nwith newline' } });
      expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.json().correlationId).toBe(res.headers['x-correlation-id']);
    });

    it('gives account admins a null tenant', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/demo/whoami', headers: bearer({ tenant: null, roles: ['account_admin'] }) });
      expect(res.json().caller.tenant).toBeNull();
    });
  });

  describe('authorization', () => {
    it('answers 403 when the caller lacks every required role', async () => {
      const res = await post('/demo/things', { as2_id: 'ACME' }, bearer({ roles: ['tenant_user'] }));
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual(FORBIDDEN);
    });

    it('lets a caller with one of the roles through', async () => {
      const res = await post('/demo/things', { as2_id: 'ROLE-OK' }, bearer({ tenant: null, roles: ['account_admin'] }));
      expect(res.statusCode).toBe(201);
    });
  });

  describe('validation', () => {
    it('answers 422 with messages per field and the code of the coded constraint', async () => {
      const res = await post('/demo/things', { as2_id: 'ACME CORP' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'Validation failed',
        errors: { as2_id: ['The AS2 ID must not contain spaces or special characters'] },
        error: { type: 'validation_error', code: 'INVALID_AS2_ID_FORMAT' },
      });
    });

    it('lists required fields for a missing body', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/demo/things', headers: bearer() });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ message: 'Validation failed', errors: { as2_id: expect.arrayContaining(['The AS2 ID field is required']) } });
    });

    it('answers VALIDATION_FAILED when no failing constraint carries a code of its own', async () => {
      const res = await post('/demo/things', { as2_id: '' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'Validation failed',
        errors: { as2_id: ['The AS2 ID must be 1 to 50 characters', 'The AS2 ID field is required'] },
        error: { type: 'validation_error', code: 'VALIDATION_FAILED' },
      });
    });

    it('reports nested DTO errors under dotted keys', async () => {
      const res = await post('/demo/things', { as2_id: 'ACME', mdn: { url: 'http://insecure.example' } });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual({ 'mdn.url': ['The MDN URL must be a valid HTTPS endpoint'] });
    });

    it('answers 422 for an unknown field, top-level or nested', async () => {
      const res = await post('/demo/things', { as2_id: 'ACME', is_admin: true, mdn: { url: 'https://ok.example', extra: 1 } });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual({ is_admin: ['The is_admin field is not allowed'], 'mdn.extra': ['The mdn.extra field is not allowed'] });
    });

    it('answers 400 for a body that is JSON but not an object', async () => {
      const res = await post('/demo/things', [1, 2]);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ message: 'The request body must be a JSON object', error: { type: 'invalid_request_error', code: 'INVALID_BODY' } });
      // A JSON null too: only a body left out is read as {} (and told which fields it lacks).
      const nullBody = await t.app.inject({ method: 'POST', url: '/demo/things', headers: { authorization: `Bearer ${t.token()}`, 'content-type': 'application/json' }, payload: 'null' });
      expect([nullBody.statusCode, nullBody.json().error.code]).toEqual([400, 'INVALID_BODY']);
      const noBody = await t.app.inject({ method: 'POST', url: '/demo/things', headers: { authorization: `Bearer ${t.token()}` } });
      expect([noBody.statusCode, noBody.json().errors?.as2_id]).toEqual([422, expect.arrayContaining(['The AS2 ID field is required'])]);
    });
  });

  describe('malformed and unsupported requests', () => {
    it('answers 400 MALFORMED_JSON for a body that does not parse', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/demo/things', headers: { ...bearer(), 'content-type': 'application/json' }, payload: '{"as2_id": ' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ message: 'Malformed JSON body', error: { type: 'invalid_request_error', code: 'MALFORMED_JSON' } });
    });

    it('refuses prototype poisoning as a field no DTO takes (the body is JSON), naming it, and pollutes nothing', async () => {
      const send = (payload: string) => t.app.inject({ method: 'POST', url: '/demo/things', headers: { ...bearer(), 'content-type': 'application/json' }, payload });
      const answers = [];
      for (const payload of ['{"as2_id":"A","__proto__":{"x":1}}', '{"as2_id":"A","nested":{"\\u005f_proto__":{"x":1}}}', '{"as2_id":"A","constructor":{"prototype":{"x":1}}}']) {
        const res = await send(payload);
        answers.push([res.statusCode, res.json()]);
      }
      const refused = (field: string) => [422, { message: 'Validation failed', errors: { [field]: [`The ${field} field is not allowed`] }, error: { type: 'validation_error', code: 'VALIDATION_FAILED' } }];
      expect(answers).toEqual([refused('__proto__'), refused('nested.__proto__'), refused('constructor')]);
      // A constructor key without a prototype is a field like any other (the DTO refuses it as unknown, no more).
      expect((await send('{"as2_id":"A","constructor":1}')).json().errors).toEqual({ constructor: ['The constructor field is not allowed'] });
      expect(({} as { x?: unknown }).x).toBeUndefined();
    });

    it('answers 413 for a body over the limit', async () => {
      const res = await post('/demo/things', { as2_id: 'A'.repeat(4096) });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({ message: 'The request body is too large.', error: { type: 'invalid_request_error', code: 'PAYLOAD_TOO_LARGE' } });
    });

    it('answers 415 for a body that is not JSON', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/demo/things', headers: { ...bearer(), 'content-type': 'text/plain' }, payload: 'as2_id=ACME' });
      expect(res.statusCode).toBe(415);
      expect(res.json().error).toEqual({ type: 'invalid_request_error', code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('answers 415 for multipart/form-data on a route that does not declare it (its parts would go unread: no body at all)', async () => {
      const boundary = 'demo-boundary';
      const payload = `--${boundary}\r\nContent-Disposition: form-data; name="as2_id"\r\n\r\nMULTIPART\r\n--${boundary}--\r\n`;
      const res = await t.app.inject({ method: 'POST', url: '/demo/things', headers: { ...bearer(), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
      expect(res.statusCode).toBe(415);
      expect(res.json().error).toEqual({ type: 'invalid_request_error', code: 'UNSUPPORTED_MEDIA_TYPE' });
      // Still 401 first without a token.
      const anonymous = await t.app.inject({ method: 'POST', url: '/demo/things', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
      expect(anonymous.statusCode).toBe(401);
    });

    it('answers 400 MALFORMED_URL for a path that does not decode', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/demo/things/%E0%A4%A', headers: bearer() });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ message: 'Malformed URL', error: { type: 'invalid_request_error', code: 'MALFORMED_URL' } });
    });

    it('accepts application/json with a charset and +json media types', async () => {
      const withCharset = await t.app.inject({ method: 'POST', url: '/demo/things', headers: { ...bearer(), 'content-type': 'application/json; charset=utf-8' }, payload: '{"as2_id":"CHARSET"}' });
      expect(withCharset.statusCode).toBe(201);
      const mergePatch = await t.app.inject({ method: 'POST', url: '/demo/things', headers: { ...bearer(), 'content-type': 'application/merge-patch+json' }, payload: '{"as2_id":"MERGE"}' });
      expect(mergePatch.statusCode).toBe(201);
    });

    it('answers 400 JSON_TOO_DEEP for nesting deeper than 32, before anything recursive runs, with no stack trace', async () => {
      const deep = `{"as2_id":"DEEP","mdn":${'['.repeat(500)}${']'.repeat(500)}}`;
      const res = await t.app.inject({ method: 'POST', url: '/demo/things', headers: { ...bearer(), 'content-type': 'application/json' }, payload: deep });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ message: 'The JSON body is nested more than 32 levels deep', error: { type: 'invalid_request_error', code: 'JSON_TOO_DEEP' } });
    });

    it('answers 422 INVALID_CHARACTERS for NUL or an unpaired surrogate in any string, naming the field', async () => {
      for (const [payload, field] of [
        ['{"as2_id":"A\\u0000B"}', 'as2_id'],
        ['{"as2_id":"OK","mdn":{"url":"https://x.example/\\ud800"}}', 'mdn.url'],
      ]) {
        const res = await t.app.inject({ method: 'POST', url: '/demo/things', headers: { ...bearer(), 'content-type': 'application/json' }, payload });
        expect(res.statusCode).toBe(422);
        expect(res.json()).toEqual({
          message: 'Validation failed',
          errors: { [field]: ['The field must not contain NUL characters or unpaired UTF-16 surrogates'] },
          error: { type: 'validation_error', code: 'INVALID_CHARACTERS' },
        });
      }
    });

    it('answers 404 NOT_FOUND for an unknown route, even without a token', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/nowhere' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ message: 'The requested resource was not found.', error: { type: 'not_found_error', code: 'NOT_FOUND' } });
    });
  });

  describe('domain errors', () => {
    it('maps a registered code to its status and type', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/demo/things/missing', headers: bearer() });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ message: 'Thing missing does not exist', error: { type: 'not_found_error', code: 'DEMO_THING_NOT_FOUND' } });
    });

    it('answers a 422 error with a field in the validation shape', async () => {
      const res = await post('/demo/duplicate', {});
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'Validation failed',
        errors: { as2_id: ['AS2 ID already exists'] },
        error: { type: 'validation_error', code: 'DEMO_DUPLICATE_AS2_ID' },
      });
    });

    it('carries details (402 billing_error)', async () => {
      const res = await post('/demo/limit', {});
      expect(res.statusCode).toBe(402);
      expect(res.json()).toEqual({
        message: 'Partner limit exceeded for current plan',
        error: { type: 'billing_error', code: 'DEMO_LIMIT_EXCEEDED', details: { plan_limit: 5, plan: 'free' } },
      });
    });

    it('maps 400 to invalid_request_error', async () => {
      const res = await post('/demo/certificate', {});
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toEqual({ type: 'invalid_request_error', code: 'DEMO_CERTIFICATE_REQUIRED' });
    });

    it('answers 422 for a code nobody registered, never 500', async () => {
      const res = await post('/demo/unregistered', {});
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('DEMO_NOBODY_REGISTERED_ME');
    });
  });

  it('answers 500 INTERNAL_ERROR for anything unexpected, logging it with the correlation id and leaking nothing', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const res = await t.app.inject({ method: 'GET', url: '/demo/boom', headers: { ...bearer(), 'x-correlation-id': 'corr-boom' } });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ message: 'Internal server error', error: { type: 'api_error', code: 'INTERNAL_ERROR' } });
      expect(res.body).not.toContain('hunter2');
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('corr-boom'), expect.stringContaining('hunter2'));
    } finally {
      logged.mockRestore();
    }
  });

  it('uses the clock the test gave', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/demo/now', headers: bearer() });
    expect(res.json()).toEqual({ now: '2026-11-23T10:00:00.000Z' });
  });

  describe('composition', () => {
    it('started the registered projection on bootstrap', () => {
      expect(t.app.get(DemoProjection).calls).toEqual(['start']);
    });

    it('publishes appended events of the service categories to its topic through the outbox relay', async () => {
      const res = await post('/demo/things', { as2_id: 'RELAYED' });
      expect(res.statusCode).toBe(201);
      const listener = t.app.get(DemoTopicListener);
      await waitUntil(() => listener.received.some((e) => e.stream === 'thing-RELAYED'));
      const event = listener.received.find((e) => e.stream === 'thing-RELAYED')!;
      expect(event).toMatchObject({ type: 'demo.thing-created.v1', position: res.json().position });
      expect(event.metadata).toMatchObject({ account: 'test-account', occurredAt: '2026-11-23T10:00:00.000Z' });
    });
  });

  describe('health and docs', () => {
    it('GET /health/live is public and up', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/health/live' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ok' });
    });

    it('GET /health/ready pings the event store and the read-model store', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ok', info: { eventStore: { status: 'up' }, readModelStore: { status: 'up' } } });
    });

    it('serves the OpenAPI document with bearer auth, and the UI', async () => {
      const spec = await t.app.inject({ method: 'GET', url: '/docs/openapi.json' });
      expect(spec.statusCode).toBe(200);
      expect(spec.json().components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(Object.keys(spec.json().paths)).toEqual(expect.arrayContaining(['/demo/things', '/health/ready']));
      const ui = await t.app.inject({ method: 'GET', url: '/docs' });
      expect(ui.statusCode).toBe(200);
      expect(ui.headers['content-type']).toMatch(/text\/html/);
    });

    it('serves the JSON and YAML files from bytes made once: the same document, no serialisation per request (each cost ms of CPU and a copy held per client)', async () => {
      const dumps = jest.spyOn(yaml, 'dump');
      const stringified = jest.spyOn(JSON, 'stringify');
      try {
        const [json, yamlText] = [[] as string[], [] as string[]];
        for (let i = 0; i < 3; i += 1) {
          const asJson = await t.app.inject({ method: 'GET', url: '/docs/openapi.json' });
          const asYaml = await t.app.inject({ method: 'GET', url: '/docs/openapi.yaml' });
          expect([asJson.statusCode, asJson.headers['content-type'], asYaml.statusCode, asYaml.headers['content-type']]).toEqual([200, 'application/json; charset=utf-8', 200, 'text/yaml']);
          json.push(asJson.body);
          yamlText.push(asYaml.body);
        }
        expect(new Set(json).size).toBe(1);
        expect(new Set(yamlText).size).toBe(1);
        expect(yaml.load(yamlText[0])).toEqual(JSON.parse(json[0]));
        expect(dumps.mock.calls.length).toBeLessThanOrEqual(1);
        // A serialisation of the whole document would be a call with it (the answers' other JSON is small).
        expect(stringified.mock.calls.filter(([value]) => typeof value === 'object' && value !== null && 'openapi' in value).length).toBeLessThanOrEqual(1);
      } finally {
        dumps.mockRestore();
        stringified.mockRestore();
      }
    });

    it("writes the UI's init script (the whole document in it) from one buffer to every client, not a copy each", async () => {
      const bytes = jest.spyOn(OpenApiDocumentFiles.prototype as unknown as { initScriptBytes: (text: string) => Buffer }, 'initScriptBytes');
      try {
        const bodies: string[] = [];
        for (let i = 0; i < 3; i += 1) {
          const res = await t.app.inject({ method: 'GET', url: '/docs/swagger-ui-init.js' });
          expect([res.statusCode, res.headers['content-type']]).toEqual([200, 'application/javascript']);
          bodies.push(res.body);
        }
        expect(new Set(bodies).size).toBe(1);
        expect(bodies[0]).toContain('"openapi"');
        const written = bytes.mock.results.map((result) => result.value as Buffer);
        expect(written).toHaveLength(3);
        expect(written.every((buffer) => buffer === written[0])).toBe(true);
      } finally {
        bytes.mockRestore();
      }
    });
  });
});

describe('embedded app lifecycle', () => {
  it('keeps data across a restart on the same DATA_DIR and stops projections on close', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'as2-restart-'));
    try {
      const first = await createEmbeddedTestApp({ imports: [DemoModule], dataDir });
      const created = await first.app.inject({ method: 'POST', url: '/demo/things', headers: { authorization: `Bearer ${first.token()}` }, payload: { as2_id: 'KEEP' } });
      expect(created.statusCode).toBe(201);
      const projection = first.app.get(DemoProjection);
      await first.close();
      expect(projection.calls).toEqual(['start', 'stop']);

      const second = await createEmbeddedTestApp({ imports: [DemoModule], dataDir });
      try {
        const res = await second.app.inject({ method: 'GET', url: '/demo/things/KEEP', headers: { authorization: `Bearer ${second.token()}` } });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ events: 1 });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('stays ready while a connection that does not affect readiness (Kafka) is down, and lists it as degraded', async () => {
    const app = await createEmbeddedTestApp({ imports: [DemoModule] });
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const probes = app.app.get<InfrastructureConnections>(INFRASTRUCTURE).probes as ReadinessProbe[];
      let brokerUp = false;
      probes.push({ name: 'kafka', affectsReadiness: false, ping: async () => { if (!brokerUp) throw new Error('broker 127.0.0.1:9092 refused'); } });
      const down = await app.app.inject({ method: 'GET', url: '/health/ready' });
      expect(down.statusCode).toBe(200);
      expect(down.json()).toMatchObject({ status: 'ok', degraded: ['kafka'], details: { eventStore: { status: 'up' }, kafka: { status: 'down' } } });
      expect(down.body).not.toContain('9092');
      brokerUp = true;
      const up = await app.app.inject({ method: 'GET', url: '/health/ready' });
      expect(up.statusCode).toBe(200);
      expect(up.json().degraded).toBeUndefined();
      expect(up.json().info.kafka).toEqual({ status: 'up' });
      // the event store still decides readiness
      await app.app.get<InfrastructureConnections>(INFRASTRUCTURE).eventStore.close();
      expect((await app.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
    } finally {
      warned.mockRestore();
      await app.close();
    }
  });

  it('fails /health/live too once the read store needs a restart (a commit lost to a full disk), so a supervisor restarts the process', async () => {
    const app = await createEmbeddedTestApp({ imports: [DemoModule] });
    const quiet = [jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined), jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined)];
    try {
      expect((await app.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
      const store = app.app.get<InfrastructureConnections>(INFRASTRUCTURE).readModels as unknown as { turn: { write(work: () => void): void }; db: { exec(sql: string): void } };
      // SQLITE_FULL may undo the whole transaction (sqlite.org/lang_transaction.html): its writes and checkpoints are lost.
      expect(() =>
        store.turn.write(() => {
          store.db.exec('ROLLBACK');
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        }),
      ).toThrow(/disk is full/);
      const live = await app.app.inject({ method: 'GET', url: '/health/live' });
      expect(live.statusCode).toBe(503);
      expect(live.json().error.details).toEqual({ readModelStore: { status: 'down', message: 'needs a restart' }, secretStore: { status: 'up' } });
      expect(live.body).not.toContain('disk is full');
      expect((await app.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
    } finally {
      quiet.forEach((spy) => spy.mockRestore());
      await app.close();
    }
  });

  it('answers 503 on /health/ready when a connection is down, naming it without internals', async () => {
    const app = await createEmbeddedTestApp({ imports: [DemoModule] });
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await app.app.get<InfrastructureConnections>(INFRASTRUCTURE).eventStore.close();
      const res = await app.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        message: 'Service unavailable.',
        error: {
          type: 'api_error',
          code: 'SERVICE_UNAVAILABLE',
          details: {
            eventStore: { status: 'down' },
            readModelStore: { status: 'up' },
            secretStore: { status: 'up' },
            // A follower whose store is down cannot say where it stands; the store's own check decides readiness.
            pipeline: { status: 'up', followers: [{ name: 'outbox:demo', kind: 'relay', unknown: true }] },
          },
        },
      });
      expect(warned).toHaveBeenCalledWith(expect.stringContaining('Readiness probe eventStore failed'));
      expect((await app.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    } finally {
      warned.mockRestore();
      await app.close();
    }
  });

  it('removes the temporary DATA_DIR it created', async () => {
    const app = await createEmbeddedTestApp({ imports: [DemoModule] });
    const { existsSync } = await import('node:fs');
    expect(existsSync(app.dataDir)).toBe(true);
    await app.close();
    expect(existsSync(app.dataDir)).toBe(false);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('rebuildReadModels', () => {
  it('rebuilds every registered projection without starting projections or serving HTTP', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'as2-rebuild-'));
    try {
      const config = loadPlatformConfig({ DATA_DIR: dataDir, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'warn' });
      const rebuilt = await rebuildReadModels(DemoModule, config, { openInfrastructure });
      expect(rebuilt.map((r) => r.name)).toEqual(['demo-things']);
      expect(DemoProjection.lastInstance?.calls).toEqual(['rebuild', 'stop']);
      expect(rebuilt[0]?.cpuMs).toBeGreaterThanOrEqual(0);
      expect(rebuildSummary(rebuilt)).toMatch(/^Rebuilt 1 read model\(s\): demo-things \(\d+ ms, CPU \d+ ms\)$/);
      expect(rebuildSummary([{ name: 'bus-fed', durationMs: 1, cpuMs: 1, skipped: 'no copy' }])).toBe('Rebuilt 1 read model(s): bus-fed (skipped: no copy)');
      expect(rebuildSummary([{ name: 'views', durationMs: 2_000, cpuMs: 1_500, events: 50_000 }])).toBe(
        'Rebuilt 1 read model(s): views (2000 ms, CPU 1500 ms, 50000 events, 25000 events/s)',
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
