import { createEmbeddedTestApp, type EmbeddedTestApp } from './create-embedded-test-app';
import { DemoModule } from './demo.module';

describe('HTTP contract of the platform edge (embedded app with a demo module)', () => {
  describe('without CORS_ORIGINS', () => {
    let t: EmbeddedTestApp;
    beforeAll(async () => {
      t = await createEmbeddedTestApp({ imports: [DemoModule] });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('names the Bearer scheme on every 401 (no token, a bad token)', async () => {
      for (const headers of [{}, { authorization: 'Bearer a.b.c' }]) {
        const res = await t.app.inject({ method: 'GET', url: '/demo/whoami', headers });
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="as2-partners"');
        expect(res.json()).toEqual({ message: 'Unauthenticated.', error: { type: 'authentication_error', code: 'UNAUTHENTICATED' } });
      }
    });

    it('answers 405 with Allow for a known path and a wrong method, before authentication', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/demo/things' });
      expect(res.statusCode).toBe(405);
      expect(res.headers['allow']).toBe('POST');
      expect(res.json()).toEqual({
        message: 'The GET method is not allowed here; use POST.',
        error: { type: 'invalid_request_error', code: 'METHOD_NOT_ALLOWED', details: { allowed: ['POST'] } },
      });
      const withParam = await t.app.inject({ method: 'DELETE', url: '/demo/things/thing-1?x=1', headers: { authorization: `Bearer ${t.token()}` } });
      expect(withParam.statusCode).toBe(405);
      expect(withParam.headers['allow']).toBe('GET, HEAD');
    });

    it('keeps 404 for a path no route serves, whatever the method', async () => {
      for (const method of ['GET', 'POST', 'DELETE'] as const) {
        const res = await t.app.inject({ method, url: '/demo/things/thing-1/nothing-here' });
        expect(res.statusCode).toBe(404);
        expect(res.headers['allow']).toBeUndefined();
        expect(res.json().error).toEqual({ type: 'not_found_error', code: 'NOT_FOUND' });
      }
    });

    it("answers a path whose id is empty (a trailing slash) 404 NOT_FOUND, never asking a route's handler for ''", async () => {
      for (const method of ['GET', 'DELETE', 'POST'] as const) {
        const res = await t.app.inject({ method, url: '/demo/things/', headers: { authorization: `Bearer ${t.token()}` } });
        expect([method, res.statusCode, res.json()]).toEqual([method, 404, { message: 'The requested resource was not found.', error: { type: 'not_found_error', code: 'NOT_FOUND' } }]);
      }
    });

    it('answers 404 or 405 before reading the body: malformed JSON, another media type, a body over the limit, with or without a token', async () => {
      const bodies = [
        { 'content-type': 'application/json', payload: '{"name": ' },
        { 'content-type': 'application/x-www-form-urlencoded', payload: 'name=x' },
        { 'content-type': 'application/json', payload: `{"name": "${'x'.repeat(2 * 1024 * 1024)}"}` },
      ];
      const answers = new Set<string>();
      for (const { 'content-type': type, payload } of bodies) {
        for (const authorization of [undefined, `Bearer ${t.token()}`]) {
          const headers = { 'content-type': type, ...(authorization ? { authorization } : {}) };
          const unknown = await t.app.inject({ method: 'POST', url: '/demo/things/thing-1/nothing-here', headers, payload });
          const wrongMethod = await t.app.inject({ method: 'PUT', url: '/demo/things', headers, payload });
          answers.add(`${unknown.statusCode} ${unknown.json().error.code} / ${wrongMethod.statusCode} ${wrongMethod.json().error.code} ${wrongMethod.headers['allow']}`);
        }
      }
      expect([...answers]).toEqual(['404 NOT_FOUND / 405 METHOD_NOT_ALLOWED POST']);
    });

    it('adds no CORS headers: browsers keep the same-origin rule', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/health/live', headers: { origin: 'https://app.example.com' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await t.app.inject({ method: 'OPTIONS', url: '/demo/things', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
      expect(preflight.statusCode).toBe(405);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('with CORS_ORIGINS', () => {
    let t: EmbeddedTestApp;
    beforeAll(async () => {
      t = await createEmbeddedTestApp({ imports: [DemoModule], env: { CORS_ORIGINS: 'https://app.example.com, https://admin.example.com:8443' } });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers a preflight from a listed origin with the methods and headers the API takes', async () => {
      const res = await t.app.inject({
        method: 'OPTIONS',
        url: '/demo/things',
        headers: { origin: 'https://admin.example.com:8443', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('https://admin.example.com:8443');
      expect(String(res.headers['access-control-allow-methods'])).toContain('POST');
      expect(String(res.headers['access-control-allow-headers'])).toMatch(/Authorization/);
      expect(res.headers['access-control-max-age']).toBe('600');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('lets a listed origin read answers and the correlation id, and no other origin', async () => {
      const listed = await t.app.inject({ method: 'GET', url: '/demo/whoami', headers: { origin: 'https://app.example.com', authorization: `Bearer ${t.token()}` } });
      expect(listed.statusCode).toBe(200);
      expect(listed.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(String(listed.headers['access-control-expose-headers'])).toContain('x-correlation-id');
      const other = await t.app.inject({ method: 'GET', url: '/demo/whoami', headers: { origin: 'https://evil.example.net', authorization: `Bearer ${t.token()}` } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('still answers 405 for a wrong method on a known path', async () => {
      const res = await t.app.inject({ method: 'PUT', url: '/demo/things' });
      expect(res.statusCode).toBe(405);
      expect(res.headers['allow']).toBe('POST');
    });

    it('answers an OPTIONS request that is no preflight (no Origin, or no Access-Control-Request-Method) as any other method: 405 in the house shape, 404 off the routes', async () => {
      const origin = 'https://app.example.com';
      for (const headers of [{ origin }, { 'access-control-request-method': 'POST' }, {}, { origin, 'access-control-request-method': '' }, { origin: '', 'access-control-request-method': 'POST' }]) {
        const res = await t.app.inject({ method: 'OPTIONS', url: '/demo/things', headers });
        expect([res.statusCode, res.headers['allow'], res.json()]).toEqual([
          405,
          'POST',
          { message: 'The OPTIONS method is not allowed here; use POST.', error: { type: 'invalid_request_error', code: 'METHOD_NOT_ALLOWED', details: { allowed: ['POST'] } } },
        ]);
        expect(res.headers['access-control-allow-methods']).toBeUndefined();
        expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
        const unknown = await t.app.inject({ method: 'OPTIONS', url: '/demo/nothing-here', headers });
        expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'NOT_FOUND']);
      }
      const fromListed = await t.app.inject({ method: 'OPTIONS', url: '/demo/things', headers: { origin: 'https://app.example.com' } });
      expect(fromListed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    });
  });

  it('refuses to start with a CORS_ORIGINS entry that is no origin, naming the variable', async () => {
    await expect(createEmbeddedTestApp({ imports: [DemoModule], env: { CORS_ORIGINS: 'https://app.example.com/path' } })).rejects.toThrow(/CORS_ORIGINS/);
  });
});
