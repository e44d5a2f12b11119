import { spawnSync } from 'node:child_process';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { multipartBody } from '../certificates/certificate-api.spec-support';
import { inlineReferences, OpenApiConformance, type OpenApiDocument } from './openapi-conformance.spec-support';

const root = join(__dirname, '..', '..', '..', '..');
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const DAY = 86_400_000;
/** Bodies the server cannot read: who may call is answered before them (malformed JSON, a `__proto__` key, another media type, over the limit). */
const UNREADABLE_BODIES = [
  { headers: { 'content-type': 'application/json' }, payload: '{"name": ' },
  { headers: { 'content-type': 'application/json' }, payload: '{"__proto__": {"admin": true}}' },
  { headers: { 'content-type': 'text/plain' }, payload: 'name=x' },
  { headers: { 'content-type': 'application/json' }, payload: `{"name": "${'x'.repeat(2 * 1024 * 1024)}"}` },
];
/** Answered without a token: AS2 partners post asynchronous MDNs of connection tests here. */
const PUBLIC_PATHS = ['/v1/connection-tests/mdn'];

type Operation = { security?: unknown[]; description?: string; requestBody?: { required?: boolean; content: Record<string, unknown> }; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };

describe('the OpenAPI document of the whole API (all-in-one)', () => {
  let t: EmbeddedTestApp;
  let document: OpenApiDocument & { servers?: unknown[]; paths: Record<string, Record<string, Operation>> };
  const operations = () => Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).filter(([method]) => HTTP_METHODS.includes(method)).map(([method, op]) => ({ path, method, op })));

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
    document = (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
  });
  afterAll(() => t?.close());

  it('documents a 2xx with its body schema for every operation', () => {
    const missing = operations().filter(({ op }) => !Object.entries(op.responses).some(([status, r]) => status.startsWith('2') && Object.values(r.content ?? {}).some((media) => media.schema)));
    expect(missing.map(({ method, path }) => `${method} ${path}`)).toEqual([]);
  });

  it('documents the 202 a write answers when its views are late (README), with the body of its success answer', () => {
    const create = document.paths['/v1/partners']?.post;
    expect(create?.responses['202']).toMatchObject({ description: expect.stringContaining('views are late'), content: create?.responses['201']?.content });
    // Every write that waits for its views says so; a read or an operation of the hot path does not.
    const late = operations().filter(({ op }) => op.responses['202'] !== undefined);
    expect(late.length).toBeGreaterThan(40);
    expect(late.filter(({ method }) => method === 'get')).toEqual([]);
    expect(late.map(({ method, path }) => `${method} ${path}`)).toEqual(expect.arrayContaining(['patch /v1/partners/{id}', 'post /v1/partners/{id}/trust/activate', 'put /v1/partners/{id}/traffic/incoming', 'post /v1/keys']));
  });

  it('gives every error response the one error body, 401/403 on every secured route, 404 on every path with an id, 400 and 412 (answered before any route) everywhere', () => {
    for (const { path, method, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const ref = (response.content?.['application/json']?.schema as { $ref?: string } | undefined)?.$ref;
        expect([`${method} ${path} ${status}`, ref]).toEqual([`${method} ${path} ${status}`, expect.stringMatching(/^#\/components\/schemas\/(ErrorBody|ValidationErrorBody)$/)]);
      }
      const secured = !path.startsWith('/health/') && !PUBLIC_PATHS.includes(path);
      expect([`${method} ${path}`, op.security]).toEqual([`${method} ${path}`, secured ? [{ bearer: [] }] : []]);
      if (secured) expect([`${method} ${path}`, Object.keys(op.responses)]).toEqual([`${method} ${path}`, expect.arrayContaining(['401', '403'])]);
      if (path.includes('{')) expect([`${method} ${path}`, Object.keys(op.responses)]).toEqual([`${method} ${path}`, expect.arrayContaining(['404'])]);
      // The server's answers before any route: 412 to an If-Match naming a tag, 400 MALFORMED_URL to a path or query string that does not decode.
      expect([`${method} ${path}`, Object.keys(op.responses)]).toEqual([`${method} ${path}`, expect.arrayContaining(['400', '412'])]);
      // An account's routes refuse another account's token ACCOUNT_FORBIDDEN: said where the 403 is described.
      if (path.startsWith('/v1/accounts/{account}')) expect([`${method} ${path}`, (op.responses['403'] as { description?: string } | undefined)?.description]).toEqual([`${method} ${path}`, expect.stringContaining('ACCOUNT_FORBIDDEN')]);
    }
  });

  it("names the edge's own codes wherever it answers them, beside an operation's own: 400 and 413 on every write with a body, 403 FORBIDDEN on every secured route", () => {
    const described = (op: Operation, status: string) => (op.responses[status] as { description?: string } | undefined)?.description ?? '';
    // The decisions are served beside Nest and describe exactly what they answer (their own shapes).
    for (const { path, method, op } of operations().filter(({ path }) => !path.startsWith('/v1/traffic/decisions'))) {
      const where = `${method} ${path}`;
      if (['post', 'put', 'patch'].includes(method)) {
        expect([where, described(op, '400')]).toEqual([where, expect.stringMatching(/MALFORMED_JSON.*INVALID_BODY|INVALID_BODY.*MALFORMED_JSON/)]);
        expect([where, described(op, '413')]).toEqual([where, expect.stringContaining('PAYLOAD_TOO_LARGE')]);
      }
      if (op.security?.length) expect([where, described(op, '403')]).toEqual([where, expect.stringMatching(/FORBIDDEN.*TENANT_DELETED/)]);
    }
    // A refusal that says when to come back says so in a header too.
    const test = document.paths['/v1/partners/{id}/test']['post'].responses as Record<string, { headers?: Record<string, unknown> }>;
    expect([Object.keys(test['429'].headers ?? {}), Object.keys(test['503'].headers ?? {})]).toEqual([['Retry-After'], ['Retry-After']]);
  });

  it('declares the headers the edge sends: Retry-After on every write\'s 409 and 503, Idempotent-Replayed on a kept refusal, 413/415 and 431 where answered', () => {
    const headersOf = (op: Operation, status: string) => Object.keys((op.responses[status] as { headers?: Record<string, unknown> } | undefined)?.headers ?? {});
    for (const { path, method, op } of operations().filter(({ path }) => !path.startsWith('/v1/traffic/decisions'))) {
      const where = `${method} ${path}`;
      expect([where, Object.keys(op.responses)]).toEqual([where, expect.arrayContaining(['431'])]);
      if (!['post', 'put', 'patch', 'delete'].includes(method) || !op.security?.length) continue;
      // A DELETE's body is read too: JSON only, within the limit.
      expect([where, Object.keys(op.responses)]).toEqual([where, expect.arrayContaining(['413', '415'])]);
      expect([where, headersOf(op, '503')]).toEqual([where, expect.arrayContaining(['Retry-After'])]);
      const kept = (op.description ?? '').includes('Idempotency-Key');
      if (!kept) continue;
      expect([where, headersOf(op, '409')]).toEqual([where, expect.arrayContaining(['Retry-After', 'Idempotent-Replayed'])]);
      for (const status of ['400', '403', '404', '422'].filter((status) => op.responses[status])) expect([where, status, headersOf(op, status)]).toEqual([where, status, ['Idempotent-Replayed']]);
      expect([where, headersOf(op, '401')]).toEqual([where, ['WWW-Authenticate']]);
    }
    // The public MDN receipt keeps no answer (it has no caller to keep one for): it says nothing of the header.
    const receipt = document.paths['/v1/connection-tests/mdn']['post'];
    expect([receipt.description ?? '', headersOf(receipt, '200')]).toEqual([expect.not.stringContaining('Idempotency-Key'), []]);
  });

  it('has servers, and multipart bodies on the three upload routes', () => {
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    for (const path of ['/v1/certificates', '/v1/partners/{id}/certificates', '/v1/accounts/{account}/partners/{id}/certificates']) {
      expect(Object.keys(document.paths[path]?.['post']?.requestBody?.content ?? {})).toEqual(['multipart/form-data', 'application/json']);
    }
    // The key routes' files are files in their multipart bodies (a file picker), text in JSON.
    for (const path of ['/v1/keys', '/v1/keys/{id}/rollover', '/v1/accounts/{account}/keys', '/v1/accounts/{account}/keys/{id}/rollover']) {
      const content = document.paths[path]?.['post']?.requestBody?.content as Record<string, { schema: { properties: Record<string, { format?: string }> } }>;
      const formats = (type: string) => ['pkcs12', 'private_key', 'certificate'].map((field) => content[type].schema.properties[field].format);
      expect([path, formats('multipart/form-data'), formats('application/json')]).toEqual([path, ['binary', 'binary', 'binary'], [undefined, undefined, undefined]]);
    }
  });

  it('types every property with string rules (pattern, minLength, maxLength) as a string: a union type reflects as object', () => {
    const mistyped: string[] = [];
    for (const [name, schema] of Object.entries((document as unknown as { components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> } }).components.schemas)) {
      for (const [property, rules] of Object.entries(schema.properties ?? {})) {
        const stringRules = ['pattern', 'minLength', 'maxLength'].some((rule) => rule in rules);
        if (stringRules && rules['type'] !== 'string') mistyped.push(`${name}.${property}: ${String(rules['type'])}`);
      }
    }
    expect(mistyped).toEqual([]);
  });

  it('refuses a JSON null for every optional body field the document does not mark nullable (422 naming the field), as for a wrong type', async () => {
    type Schema = { type?: string; nullable?: boolean; properties?: Record<string, Schema>; required?: string[]; items?: Schema };
    /** Dotted paths of the optional fields a null is not allowed in, nested objects and a list's first item (`events.0.account`) included. */
    const nonNullableOptionals = (schema: Schema, prefix: string): string[] =>
      Object.entries(schema.properties ?? {}).flatMap(([name, field]) => {
        const path = prefix ? `${prefix}.${name}` : name;
        const own = !(schema.required ?? []).includes(name) && field.nullable !== true ? [path] : [];
        const inner = field.properties ? nonNullableOptionals(field, path) : field.items?.properties ? nonNullableOptionals(field.items, `${path}.0`) : [];
        return [...own, ...inner];
      });
    const withNullAt = (path: string): Record<string, unknown> =>
      path
        .split('.')
        .reverse()
        .reduce<unknown>((inner, name) => (/^\d+$/.test(name) ? [inner] : { [name]: inner }), null) as Record<string, unknown>;
    // The decision routes report the first error alone (their JSON Schema check stops there): the null field is the only wrong one.
    const decision = { direction: 'inbound', as2_from: 'NULLS-PARTNER', as2_to: 'NULLS-ME', message_id: '<nulls@example.com>' };
    const bodyWithNullAt = (path: string, field: string): Record<string, unknown> => {
      if (path === '/v1/traffic/decisions') return { ...decision, ...withNullAt(field) };
      if (path === '/v1/traffic/decisions:batch') return { decisions: [{ ...decision, ...withNullAt(field.replace('decisions.0.', '')) }] };
      return withNullAt(field);
    };
    const account = 'nulls-acme';
    // The first identity the route's guards let through reaches its body's validation.
    const tokens = [
      t.token({ account, tenant: 'nulls-t1', roles: ['tenant_admin'] }),
      t.token({ account, tenant: null, roles: ['account_admin'] }),
      t.token({ account, tenant: null, roles: ['operator'] }),
      t.token({ account, tenant: null, roles: ['gateway'] }),
    ];
    const accepted: string[] = [];
    let checked = 0;
    for (const { path, method, op } of operations()) {
      const schema = inlineReferences((op.requestBody?.content['application/json'] as { schema?: unknown } | undefined)?.schema, document) as Schema | undefined;
      if (!schema?.properties) continue;
      const url = path.replace('{account}', account).replace('{slot}', 'signature').replace('{alias}', 'nulls-key').replace(/\{[^}]+\}/g, 'prt_01JB0000000000000000000000');
      for (const field of nonNullableOptionals(schema, '')) {
        let res = await t.app.inject({ method: method.toUpperCase() as 'POST', url, headers: { authorization: `Bearer ${tokens[0]}` }, payload: bodyWithNullAt(path, field) });
        for (const token of tokens.slice(1)) {
          if (res.statusCode !== 401 && res.statusCode !== 403) break;
          res = await t.app.inject({ method: method.toUpperCase() as 'POST', url, headers: { authorization: `Bearer ${token}` }, payload: bodyWithNullAt(path, field) });
        }
        checked += 1;
        const errors = res.statusCode === 422 ? ((res.json() as { errors?: Record<string, unknown> }).errors ?? {}) : {};
        if (!(field in errors)) accepted.push(`${method} ${path} ${field}: ${res.statusCode} ${res.body.slice(0, 160)}`);
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(accepted).toEqual([]);
  });

  it('documents what the server takes and answers: a boolean firewall, an international endpoint, a 254-character email, key alias rules, no other upload field', async () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const requestSchema = (path: string, media = 'application/json') =>
      inlineReferences((document.paths[path]['post'].requestBody?.content[media] as { schema: unknown }).schema, document) as Record<string, unknown>;
    const takes = (schema: Record<string, unknown>, body: unknown) => ajv.validate(schema, body);
    const conformance = new OpenApiConformance(document);
    const tenantAdmin = { authorization: `Bearer ${t.token({ account: 'documented-acme', tenant: 'documented-t1', roles: ['tenant_admin'] })}` };
    const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: tenantAdmin, payload });

    // Seed 003's boolean firewall, an international host and path (an IRI, kept as given), the longest email an address may have (RFC 5321: 254).
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(53)}.example`;
    expect(email.length).toBe(254);
    const partner = { name: 'Bücher', as2_id: 'DOCUMENTED-IRI', url: 'https://bücher.example/as2/empfang?ü=1', firewall: true, email };
    expect([takes(requestSchema('/v1/partners'), partner), ajv.errorsText()]).toEqual([true, 'No errors']);
    const created = await post('/v1/partners', partner);
    expect(created.statusCode).toBe(201);
    expect(created.json().data).toMatchObject({ url: partner.url, firewall: { enabled: true, allowed_ips: [] }, email });
    expect(conformance.check('POST', '/v1/partners', 201, created.json())).toEqual([]);
    const tooLong = `a${email}`;
    expect([takes(requestSchema('/v1/partners'), { ...partner, as2_id: 'DOCUMENTED-LONG', email: tooLong }), (await post('/v1/partners', { ...partner, as2_id: 'DOCUMENTED-LONG', email: tooLong })).statusCode]).toEqual([false, 422]);

    // A key alias the keystore refuses is one the document refuses too.
    const generate = { algorithm: 'RSA', key_size: 2048, subject: 'CN=Documented', valid_days: 30 };
    for (const alias of ['a b', '..', '.']) {
      expect([alias, takes(requestSchema('/v1/keys'), { alias, generate }), (await post('/v1/keys', { alias, generate })).statusCode]).toEqual([alias, false, 422]);
    }

    // An upload's only fields are name, usage, type and certificate: another is refused (422), and the document says so.
    for (const path of ['/v1/certificates', '/v1/partners/{id}/certificates', '/v1/accounts/{account}/partners/{id}/certificates']) {
      for (const media of ['multipart/form-data', 'application/json']) expect([path, media, requestSchema(path, media)['additionalProperties']]).toEqual([path, media, false]);
    }
    const extra = await post('/v1/certificates', { name: 'Extra', usage: 'tls', certificate: issueTestCertificate().pem, note: 'x' });
    expect([extra.statusCode, extra.json().errors]).toEqual([422, { note: ['The note field is not allowed'] }]);
  });

  it("names every 403 a gateway route answers for the account and tenant it is told to act for", async () => {
    const gatewayRoutes: [string, string][] = [
      ['post', '/v1/gateway/message-events'],
      ['get', '/internal/v1/partners/{id}/outbound-auth'],
      ['post', '/internal/v1/keys/{alias}/sign'],
      ['post', '/internal/v1/keys/{alias}/decrypt'],
      ['get', '/v1/partnerships/resolve'],
    ];
    const unnamed = gatewayRoutes.flatMap(([method, path]) => {
      const description = (document.paths[path][method].responses['403'] as { description?: string } | undefined)?.description ?? '';
      return ['ACCOUNT_REQUIRED', 'ACCOUNT_FORBIDDEN', 'TENANT_FORBIDDEN', 'TENANT_DELETED', 'FORBIDDEN'].filter((code) => !description.includes(code)).map((code) => `${method} ${path}: ${code}`);
    });
    expect(unnamed).toEqual([]);
  });

  it('marks a request body required exactly where a request without one is refused for it (422 naming the fields)', async () => {
    const tenantToken = `Bearer ${t.token({ account: 'bodies-acme', tenant: 'bodies-t1', roles: ['tenant_admin', 'gateway', 'operator'] })}`;
    const accountToken = `Bearer ${t.token({ account: 'bodies-acme', tenant: null, roles: ['account_admin', 'gateway', 'operator'] })}`;
    const answers: string[] = [];
    for (const { path, method, op } of operations().filter(({ op, path }) => op.requestBody && !PUBLIC_PATHS.includes(path))) {
      const url = path.replace('{account}', 'bodies-acme').replace('{tenant}', 'bodies-t1').replace('{slot}', 'encryption').replace(/\{[^}]+\}/g, 'zz_none');
      const authorization = path.startsWith('/v1/accounts/') || path.startsWith('/internal/') ? accountToken : tenantToken;
      const res = await t.app.inject({ method: method.toUpperCase() as 'POST', url, headers: { authorization } });
      const refusedForIt = [422, 400].includes(res.statusCode) && ['VALIDATION_FAILED', 'NO_CHANGE_GIVEN', 'CERTIFICATE_REQUIRED'].includes(res.json().error?.code);
      const required = op.requestBody?.required === true;
      answers.push(`${method} ${path}: ${required ? 'required' : 'optional'}, ${refusedForIt ? 'refused without one' : `answered ${res.statusCode} ${res.json().error?.code}`}`);
      // A required body's route may look its resource up first (404 here): only a success without one contradicts it.
      if ((required && res.statusCode < 300) || (!required && refusedForIt)) answers.push(`CONTRADICTED: ${method} ${path}`);
    }
    expect(answers.length).toBeGreaterThan(40);
    expect(answers.filter((answer) => answer.startsWith('CONTRADICTED'))).toEqual([]);
    expect(answers.filter((answer) => answer.includes('refused without one')).length).toBeGreaterThan(30);
    expect(answers).toContain('post /v1/partners/{id}/trust/retire: optional, answered 404 PARTNER_NOT_FOUND');
  });

  it('refuses a request without a valid token on every secured route before its body is read: 401 whatever was sent', async () => {
    const forged = `${t.token({ account: 'mine-acme', tenant: 't1', roles: ['tenant_admin'] }).split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`;
    const json = { 'content-type': 'application/json' };
    const hostileBodies: { name: string; headers: Record<string, string>; payload: string }[] = [
      { name: 'malformed JSON', headers: json, payload: '{"name": ' },
      { name: 'a __proto__ key', headers: json, payload: '{"__proto__": {"admin": true}}' },
      { name: 'a NUL character', headers: json, payload: '{"name": "a\\u0000b"}' },
      { name: 'another media type', headers: { 'content-type': 'text/plain' }, payload: 'name=x' },
      { name: 'a body over the limit', headers: json, payload: `{"name": "${'x'.repeat(2 * 1024 * 1024)}"}` },
    ];
    const answers: string[] = [];
    let secured = 0;
    for (const { path, method, op } of operations()) {
      if (op.security !== undefined && op.security.length === 0) continue;
      if (PUBLIC_PATHS.includes(path)) continue;
      secured += 1;
      const url = `${path.replace('{account}', 'mine-acme').replace(/\{[^}]+\}/g, 'prt_01JB0000000000000000000000')}?per_page=abc&page=-1`;
      const sent = ['post', 'put', 'patch'].includes(method) ? hostileBodies : [{ name: 'a hostile query', headers: {}, payload: undefined }];
      for (const authorization of [undefined, `Bearer ${forged}`, 'Basic YTpi'])
        for (const body of sent) {
          const res = await t.app.inject({ method: method.toUpperCase() as 'POST', url, headers: { ...body.headers, ...(authorization ? { authorization } : {}) }, ...(body.payload === undefined ? {} : { payload: body.payload }) });
          const code = (res.json() as { error?: { code?: string } }).error?.code;
          if (res.statusCode !== 401 || code !== 'UNAUTHENTICATED' || res.headers['www-authenticate'] === undefined) answers.push(`${method} ${path} (${authorization?.split(' ')[0] ?? 'no token'}, ${body.name}): ${res.statusCode} ${code}`);
        }
    }
    expect(secured).toBeGreaterThan(100);
    expect(answers).toEqual([]);
    // A public route still answers without a token.
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });

  it("refuses another account's admin on every account route before anything else: 403 ACCOUNT_FORBIDDEN whatever the body or query", async () => {
    const headers = { authorization: `Bearer ${t.token({ account: 'mine-acme', tenant: null, roles: ['account_admin'] })}` };
    const answers: string[] = [];
    for (const { path, method } of operations().filter(({ path }) => path.startsWith('/v1/accounts/{account}'))) {
      const url = `${path.replace('{account}', 'theirs-acme').replace(/\{[^}]+\}/g, 'prt_01JB0000000000000000000000')}?per_page=0`;
      const bodies: { headers?: Record<string, string>; payload?: unknown }[] = ['post', 'put', 'patch'].includes(method) ? [{ payload: { unknown_field: 1, name: '' } }, ...UNREADABLE_BODIES] : [{}];
      for (const sent of bodies) {
        const res = await t.app.inject({ method: method.toUpperCase() as 'POST', url, payload: sent.payload as string, headers: { ...headers, ...sent.headers } });
        answers.push(`${method} ${path}: ${res.statusCode} ${(res.json() as { error?: { code?: string } }).error?.code}`);
      }
    }
    expect(answers.length).toBeGreaterThan(20);
    expect(answers.filter((answer) => !answer.endsWith(': 403 ACCOUNT_FORBIDDEN'))).toEqual([]);
  });

  it("refuses an account-level token on a tenant's own routes before anything else: 403 TENANT_REQUIRED whatever the body or query", async () => {
    const headers = { authorization: `Bearer ${t.token({ account: 'mine-acme', tenant: null, roles: ['account_admin'] })}` };
    const hostile = { payload: { unknown_field: 1, name: '' } };
    const routes: [string, string][] = [
      ['POST', '/v1/partners'],
      ['PATCH', '/v1/partners/prt_x'],
      ['PUT', '/v1/partners/prt_x/monitoring'],
      ['POST', '/v1/partners/prt_x/test'],
      ['PUT', '/v1/partners/prt_x/traffic/incoming'],
      ['PUT', '/v1/partners/prt_x/traffic/outgoing'],
      ['POST', '/v1/partners/prt_x/traffic/windows'],
      ['GET', '/v1/partners/prt_x/traffic/timeline?per_page=0'],
      ['GET', '/v1/traffic/paused?per_page=0'],
      ['POST', '/v1/stations'],
      ['PATCH', '/v1/stations/stn_x'],
      ['POST', '/v1/partnerships'],
      ['PATCH', '/v1/partnerships/pts_x'],
      ['POST', '/v1/as2-instances'],
      ['DELETE', '/v1/as2-instances/asi_x?cascade=maybe'],
      ['GET', '/v1/partners?zz=1'],
      ['GET', '/v1/partners/prt_x?zz=1'],
      ['DELETE', '/v1/partners/prt_x'],
      ['GET', '/v1/partners/prt_x/overrides'],
      ['DELETE', '/v1/partners/prt_x/overrides'],
      ['GET', '/v1/partners/prt_x/as2-id-change/impact'],
      ['POST', '/v1/partners/prt_x/as2-id-change'],
      ['GET', '/v1/partners/prt_x/tests?per_page=0'],
      ['GET', '/v1/stations?zz=1'],
      ['GET', '/v1/stations/stn_x'],
      ['GET', '/v1/partnerships?zz=1'],
      ['GET', '/v1/partnerships/pts_x'],
      ['GET', '/v1/as2-instances?zz=1'],
      ['GET', '/v1/as2-instances/asi_x'],
      ['POST', '/v1/keys'],
      ['GET', '/v1/keys?per_page=zz'],
      ['GET', '/v1/keys/key_x/events?per_page=0'],
      ['POST', '/v1/keys/key_x/csr'],
      ['POST', '/v1/keys/key_x/rollover'],
      ['DELETE', '/v1/keys/key_x'],
    ];
    const answers: string[] = [];
    for (const [method, url] of routes) {
      const bodies: { headers?: Record<string, string>; payload?: unknown }[] = ['POST', 'PUT', 'PATCH'].includes(method) ? [hostile, ...UNREADABLE_BODIES] : [{}];
      for (const sent of bodies) {
        const res = await t.app.inject({ method: method as 'POST', url, payload: sent.payload as string, headers: { ...headers, ...sent.headers } });
        answers.push(`${method} ${url}: ${res.statusCode} ${(res.json() as { error?: { code?: string } }).error?.code}`);
      }
    }
    expect(answers.filter((answer) => !answer.endsWith(': 403 TENANT_REQUIRED'))).toEqual([]);
    // A role the route does not take is refused 403 FORBIDDEN before the body is read, as a missing tenant is.
    const reader = { authorization: `Bearer ${t.token({ account: 'mine-acme', tenant: 't1', roles: ['tenant_user'] })}` };
    for (const sent of UNREADABLE_BODIES) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/partners', ...sent, headers: { ...reader, ...sent.headers } });
      expect([sent.headers['content-type'], res.statusCode, res.json().error.code]).toEqual([sent.headers['content-type'], 403, 'FORBIDDEN']);
    }
  });

  it('refuses a JSON body of more than 200 fields with one error on the routes that read their own forms (JSON or multipart), as on every other', async () => {
    const headers = { authorization: `Bearer ${t.token({ account: 'mine-acme', tenant: 't1', roles: ['tenant_admin'] })}`, 'content-type': 'application/json' };
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${i}`, i])));
    const answers = new Set<string>();
    for (const url of ['/v1/certificates', '/v1/keys', '/v1/keys/key_x/rollover']) {
      const res = await t.app.inject({ method: 'POST', url, headers, payload: wide });
      answers.add(`${res.statusCode} ${JSON.stringify(res.json().errors)}`);
    }
    expect([...answers]).toEqual(['422 {"body":["The body may not have more than 200 fields"]}']);
  });

  it('passes Redocly lint (recommended ruleset) with no error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document));
      const lint = spawnSync(process.execPath, [join(root, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js'), 'lint', file, '--extends=recommended', '--format=json'], {
        encoding: 'utf8',
        cwd: dir,
        timeout: 120_000,
      });
      expect(lint.error).toBeUndefined();
      const report = JSON.parse(lint.stdout) as { problems: { severity: string; ruleId: string; message: string; location: { pointer: string }[] }[] };
      const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
      expect(errors).toEqual([]);
      expect(lint.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers every route of a walk through the API with a documented status and a body matching its schema (timestamps with six fraction digits)', async () => {
    const conformance = new OpenApiConformance(document);
    const problems: string[] = [];
    const account = 'contract-acme';
    const tenant = 'contract-t1';
    const tokens = {
      admin: t.token({ account, tenant: null, roles: ['account_admin'] }),
      writer: t.token({ account, tenant, roles: ['tenant_admin'] }),
      reader: t.token({ account, tenant, roles: ['tenant_user'] }),
      operator: t.token({ account, tenant: null, roles: ['operator'] }),
      gateway: t.token({ account, tenant: null, roles: ['gateway'] }),
    };
    const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, as: keyof typeof tokens | null, payload?: unknown, contentType?: string) => {
      const headers: Record<string, string> = as ? { authorization: `Bearer ${tokens[as]}` } : {};
      if (contentType) headers['content-type'] = contentType;
      const res = await t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
      const body = res.body ? res.json() : undefined;
      problems.push(...conformance.check(method, url, res.statusCode, body));
      return { status: res.statusCode, body };
    };
    const upload = async (url: string, as: keyof typeof tokens, name: string, commonName: string) => {
      const form = multipartBody({ name, usage: 'encryption' }, { field: 'certificate', filename: 'c.pem', content: issueTestCertificate({ commonName }).pem });
      return call('POST', url, as, form.payload, form.contentType);
    };

    expect((await call('GET', '/health/live', null)).status).toBe(200);
    expect((await call('GET', '/health/ready', null)).status).toBe(200);
    expect((await call('POST', `/v1/accounts/${account}/tenants`, 'admin', { id: tenant, name: 'Plant 1', plan: 'starter' })).status).toBe(201);
    await call('GET', `/v1/accounts/${account}/tenants`, 'admin');
    await call('GET', `/v1/accounts/${account}/tenants/${tenant}`, 'admin');
    await call('PATCH', `/v1/accounts/${account}/tenants/${tenant}`, 'admin', { name: 'Plant One' });
    await call('GET', `/v1/accounts/${account}/tenants/nope`, 'admin');

    const master = await call('POST', `/v1/accounts/${account}/partners`, 'admin', { name: 'Master Co', as2_id: 'CONTRACT-MASTER', url: 'https://master.example.com/as2' });
    expect(master.status).toBe(201);
    const masterId = master.body.data.id as string;
    await call('GET', `/v1/accounts/${account}/partners`, 'admin');
    await call('GET', `/v1/accounts/${account}/partners/${masterId}`, 'admin');
    await call('PATCH', `/v1/accounts/${account}/partners/${masterId}`, 'admin', { active: true });
    await upload(`/v1/accounts/${account}/partners/${masterId}/certificates`, 'admin', 'master cert', 'Master');
    await call('GET', `/v1/accounts/${account}/partners/${masterId}/certificates`, 'admin');

    const partner = await call('POST', '/v1/partners', 'writer', { name: 'Acme Corporation', as2_id: 'CONTRACT-ACME', url: 'https://acme.example.com/as2', sign: true, sign_algorithm: 'SHA256withRSA', email: 'as2@acme.example.com' });
    expect(partner.status).toBe(201);
    const partnerId = partner.body.data.id as string;
    await call('POST', '/v1/partners', 'writer', { name: 'Dup', as2_id: 'CONTRACT-ACME', url: 'https://dup.example.com/as2' });
    await call('POST', '/v1/partners', 'writer', { as2_id: 'has space' });
    await call('POST', '/v1/partners', 'reader', { name: 'No', as2_id: 'NO', url: 'https://no.example.com/as2' });
    await call('POST', '/v1/partners', null, {});
    await call('GET', '/v1/partners?search=acme&per_page=5', 'reader');
    await call('GET', '/v1/partners?per_page=1000', 'reader');
    await call('GET', `/v1/partners/${partnerId}`, 'reader');
    await call('GET', '/v1/partners/prt_missing', 'reader');
    await call('PATCH', `/v1/partners/${partnerId}`, 'writer', { subject: 'AS2 message' });
    await call('PATCH', `/v1/partners/${partnerId}`, 'writer', {});
    await call('PATCH', `/v1/partners/${masterId}`, 'writer', { name: 'Overridden' });
    await call('GET', `/v1/partners/${masterId}/overrides`, 'reader');
    await call('DELETE', `/v1/partners/${masterId}/overrides`, 'writer');

    const current = await upload(`/v1/partners/${partnerId}/certificates`, 'writer', 'current', 'Current');
    const next = await upload(`/v1/partners/${partnerId}/certificates`, 'writer', 'next', 'Next');
    expect([current.status, next.status]).toEqual([201, 201]);
    const nextId = next.body.data.id as string;
    const stored = await call('POST', '/v1/certificates', 'writer', { name: 'store', usage: 'tls', certificate: issueTestCertificate({ commonName: 'Store' }).pem });
    await call('POST', '/v1/certificates', 'writer', { name: 'bad', usage: 'tls', certificate: 'not a certificate' });
    await call('GET', '/v1/certificates', 'reader');
    await call('GET', `/v1/certificates/${nextId}`, 'reader');
    await call('GET', `/v1/certificates/${nextId}/usage`, 'reader');
    await call('GET', `/v1/partners/${partnerId}/certificates`, 'reader');
    await call('GET', `/v1/partners/${partnerId}/certificate-slots`, 'reader');
    await call('PUT', `/v1/partners/${partnerId}/certificate-slots/encryption/backup`, 'writer', { certificate_id: nextId, activate_on: new Date(Date.now() + DAY).toISOString() });
    // The impact lists the scheduled backup now: its item matches the documented schema.
    expect((await call('GET', `/v1/partners/${partnerId}/as2-id-change/impact?new_as2_id=CONTRACT-BACKUP`, 'reader')).body.data.scheduled_activations).toHaveLength(1);
    await call('DELETE', `/v1/partners/${partnerId}/certificate-slots/encryption/backup`, 'writer');
    await call('PUT', `/v1/partners/${partnerId}/certificate-slots/tls`, 'writer', { certificate_id: stored.body.data.id });
    await call('DELETE', `/v1/certificates/${stored.body.data.id}`, 'writer');
    await call('POST', `/v1/partners/${partnerId}/trust/rollover`, 'writer', { next_certificate_id: nextId, activate_at: new Date(Date.now() + DAY).toISOString(), overlap_until: new Date(Date.now() + 8 * DAY).toISOString() });
    expect((await call('GET', `/v1/partners/${partnerId}/as2-id-change/impact?new_as2_id=CONTRACT-ROLLOVER`, 'reader')).body.data.scheduled_activations).toHaveLength(1);
    await call('GET', `/v1/partners/${partnerId}/trust`, 'reader');
    expect((await call('POST', `/v1/partners/${partnerId}/trust/activate`, 'writer')).status).toBe(200);
    await call('POST', `/v1/partners/${partnerId}/trust/retire`, 'writer', {});
    await call('GET', `/v1/partners/${partnerId}/trust/events`, 'reader');

    // Our AS2 identities, partnerships, stations, the gateway's routing question and its message outcomes.
    const instance = await call('POST', '/v1/as2-instances', 'writer', { my_as2_id: 'CONTRACT-ME', my_name: 'Contract Me', my_as2_alias: 'contract-me', my_email: 'as2@me.example.com' });
    expect(instance.status).toBe(201);
    const instanceId = instance.body.data.id as string;
    await call('POST', '/v1/as2-instances', 'writer', { my_as2_id: 'has space' });
    await call('GET', '/v1/as2-instances', 'reader');
    await call('GET', `/v1/as2-instances/${instanceId}`, 'reader');
    await call('GET', '/v1/as2-instances/ins_missing', 'reader');
    await call('PATCH', `/v1/as2-instances/${instanceId}`, 'writer', { my_name: 'Contract Me Too' });
    const masterInstance = await call('POST', `/v1/accounts/${account}/as2-instances`, 'admin', { my_as2_id: 'CONTRACT-HQ', my_name: 'Contract HQ', my_as2_alias: 'contract-hq', my_email: 'as2@hq.example.com' });
    expect(masterInstance.status).toBe(201);
    const masterInstanceId = masterInstance.body.data.id as string;
    await call('GET', `/v1/accounts/${account}/as2-instances`, 'admin');
    await call('GET', `/v1/accounts/${account}/as2-instances/${masterInstanceId}`, 'admin');
    await call('PATCH', `/v1/accounts/${account}/as2-instances/${masterInstanceId}`, 'admin', { status: 'off' });
    const partnership = await call('POST', '/v1/partnerships', 'writer', { as2_instance_id: instanceId, partner_id: partnerId, subject: 'Contract' });
    expect(partnership.status).toBe(201);
    const partnershipId = partnership.body.data.id as string;
    await call('POST', '/v1/partnerships', 'writer', { as2_instance_id: instanceId, partner_id: partnerId });
    await call('GET', '/v1/partnerships', 'reader');
    await call('GET', `/v1/partnerships/${partnershipId}`, 'reader');
    await call('PATCH', `/v1/partnerships/${partnershipId}`, 'writer', { sign: false });
    expect((await call('GET', '/v1/partnerships/resolve?as2_from=CONTRACT-ME&as2_to=CONTRACT-ACME', 'reader')).status).toBe(200);
    await call('GET', `/v1/partnerships/resolve?as2_from=CONTRACT-ACME&as2_to=CONTRACT-ME&tenant=${tenant}`, 'gateway');
    await call('GET', `/internal/v1/partners/${partnerId}/outbound-auth?tenant=${tenant}`, 'gateway');
    await call('GET', `/internal/v1/partners/prt_missing/outbound-auth?tenant=${tenant}`, 'gateway');
    await call('GET', '/v1/partnerships/resolve?as2_from=NOBODY&as2_to=CONTRACT-ME', 'reader');
    const station = await call('POST', '/v1/stations', 'writer', { name: 'Dock 1', notification_email: 'dock1@me.example.com' });
    expect(station.status).toBe(201);
    await call('GET', '/v1/stations', 'reader');
    await call('GET', `/v1/stations/${station.body.data.id}`, 'reader');
    await call('PATCH', `/v1/stations/${station.body.data.id}`, 'writer', { name: 'Dock One' });
    await call('DELETE', `/v1/stations/${station.body.data.id}`, 'writer');
    await call('POST', '/v1/gateway/message-events', 'gateway', {
      events: [{ message_id: 'msg-contract-1', direction: 'outbound', status: 'delivered', occurred_at: new Date().toISOString(), tenant, as2_from: 'CONTRACT-ME', as2_to: 'CONTRACT-ACME' }],
    });
    await call('GET', `/v1/partners/${partnerId}/as2-id-change/impact?new_as2_id=CONTRACT-ACME-2`, 'reader');
    await call('POST', `/v1/partners/${partnerId}/as2-id-change`, 'writer', { new_as2_id: 'CONTRACT-ACME-2' });
    expect((await call('POST', `/v1/partners/${partnerId}/as2-id-change`, 'writer', { new_as2_id: 'CONTRACT-ACME-2', acknowledge_risks: true, reason: 'merger' })).status).toBe(200);
    await call('GET', `/v1/accounts/${account}/partners/${masterId}/as2-id-change/impact?new_as2_id=CONTRACT-MASTER-2`, 'admin');
    await call('POST', `/v1/accounts/${account}/partners/${masterId}/as2-id-change`, 'admin', { new_as2_id: 'CONTRACT-MASTER-2', acknowledge_risks: true });
    await call('DELETE', `/v1/partnerships/${partnershipId}`, 'writer');
    await call('DELETE', `/v1/as2-instances/${instanceId}`, 'writer');
    await call('DELETE', `/v1/accounts/${account}/as2-instances/${masterInstanceId}`, 'admin');

    // Our keys, and the gateway's sign and decrypt by alias.
    const key = await call('POST', '/v1/keys', 'writer', { alias: 'contract-key', generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Contract', valid_days: 365 } });
    expect(key.status).toBe(201);
    const keyId = key.body.data.id as string;
    await call('POST', '/v1/keys', 'writer', { alias: 'contract-key', generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Contract', valid_days: 365 } });
    await call('GET', '/v1/keys', 'reader');
    await call('GET', `/v1/keys/${keyId}`, 'reader');
    await call('GET', '/v1/keys/key_missing', 'reader');
    await call('GET', `/v1/keys/${keyId}/events`, 'reader');
    const pem = await t.app.inject({ method: 'GET', url: `/v1/keys/${keyId}/certificate`, headers: { authorization: `Bearer ${tokens.reader}` } });
    expect(pem.headers['content-type']).toContain('application/x-pem-file');
    problems.push(...conformance.check('GET', `/v1/keys/${keyId}/certificate`, pem.statusCode, undefined));
    await call('POST', `/v1/keys/${keyId}/csr`, 'writer', {});
    await call('POST', '/internal/v1/keys/contract-key/sign', 'gateway', { content: Buffer.from('hello').toString('base64'), tenant });
    await call('POST', '/internal/v1/keys/contract-key/decrypt', 'gateway', { enveloped: Buffer.from('not cms').toString('base64'), tenant });
    await call('POST', `/v1/keys/${keyId}/rollover`, 'writer', {
      generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Contract Next', valid_days: 365 },
      activate_at: new Date(Date.now() + DAY).toISOString(),
      overlap_until: new Date(Date.now() + 8 * DAY).toISOString(),
    });
    await call('DELETE', `/v1/keys/${keyId}`, 'writer');
    // The account keystore (account admins), read by its tenants as inherited.
    const accountKey = await call('POST', `/v1/accounts/${account}/keys`, 'admin', { alias: 'contract-account-key', generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Contract Account', valid_days: 365 } });
    expect(accountKey.status).toBe(201);
    const accountKeyId = accountKey.body.data.id as string;
    await call('GET', `/v1/accounts/${account}/keys`, 'admin');
    await call('GET', `/v1/accounts/${account}/keys/${accountKeyId}`, 'admin');
    await call('GET', `/v1/accounts/${account}/keys/key_missing`, 'admin');
    await call('GET', `/v1/accounts/${account}/keys/${accountKeyId}/events`, 'admin');
    const accountPem = await t.app.inject({ method: 'GET', url: `/v1/accounts/${account}/keys/${accountKeyId}/certificate`, headers: { authorization: `Bearer ${tokens.admin}` } });
    problems.push(...conformance.check('GET', `/v1/accounts/${account}/keys/${accountKeyId}/certificate`, accountPem.statusCode, undefined));
    await call('POST', `/v1/accounts/${account}/keys/${accountKeyId}/csr`, 'admin', {});
    expect((await call('GET', `/v1/keys/${accountKeyId}`, 'reader')).body.data.type).toBe('inherited');
    await call('DELETE', `/v1/keys/${accountKeyId}`, 'writer');
    await call('POST', `/v1/accounts/${account}/keys/${accountKeyId}/rollover`, 'admin', {
      generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Contract Account Next', valid_days: 365 },
      activate_at: new Date(Date.now() + DAY).toISOString(),
      overlap_until: new Date(Date.now() + 8 * DAY).toISOString(),
    });
    await call('DELETE', `/v1/accounts/${account}/keys/${accountKeyId}`, 'admin');

    // Traffic control: pauses, windows, state, timeline.
    expect((await call('PUT', `/v1/partners/${partnerId}/traffic/incoming`, 'writer', { paused: true, response: 'http_503_retry', reason: 'maintenance', retry_after_seconds: 600 })).status).toBe(200);
    await call('PUT', `/v1/partners/${partnerId}/traffic/outgoing`, 'writer', { paused: true, reason: 'maintenance' });
    // The impact lists both pauses now: their items match the documented schema.
    await call('GET', `/v1/partners/${partnerId}/as2-id-change/impact?new_as2_id=CONTRACT-PAUSED`, 'reader');
    const window = await call('POST', `/v1/partners/${partnerId}/traffic/windows`, 'writer', { direction: 'both', starts_at: new Date(Date.now() + DAY).toISOString(), ends_at: new Date(Date.now() + 2 * DAY).toISOString(), response: 'http_503_retry', reason: 'upgrade' });
    expect([window.status, window.body]).toEqual([201, expect.anything()]);
    await call('GET', `/v1/partners/${partnerId}/traffic/windows`, 'reader');
    await call('GET', `/v1/partners/${partnerId}/traffic`, 'reader');
    await call('GET', `/v1/partners/${partnerId}/traffic/timeline`, 'reader');
    await call('GET', '/v1/traffic/paused', 'reader');
    await call('DELETE', `/v1/partners/${partnerId}/traffic/windows/${window.body.data.id}`, 'writer');
    await call('PUT', `/v1/partners/${partnerId}/traffic/incoming`, 'writer', { paused: false });
    await call('PUT', `/v1/accounts/${account}/partners/${masterId}/traffic/incoming`, 'admin', { paused: true, response: 'error_mdn', reason: 'account hold' });
    await call('PUT', `/v1/accounts/${account}/partners/${masterId}/traffic/outgoing`, 'admin', { paused: true, reason: 'account hold' });
    const accountWindow = await call('POST', `/v1/accounts/${account}/partners/${masterId}/traffic/windows`, 'admin', { direction: 'incoming', starts_at: new Date(Date.now() + DAY).toISOString(), ends_at: new Date(Date.now() + 2 * DAY).toISOString(), response: 'http_503_retry', reason: 'upgrade' });
    await call('GET', `/v1/accounts/${account}/partners/${masterId}/traffic/windows`, 'admin');
    await call('GET', `/v1/accounts/${account}/partners/${masterId}/traffic`, 'admin');
    await call('GET', `/v1/accounts/${account}/partners/${masterId}/traffic/timeline`, 'admin');
    await call('DELETE', `/v1/accounts/${account}/partners/${masterId}/traffic/windows/${accountWindow.body?.data?.id ?? 'win_missing'}`, 'admin');
    // The gateway's decisions (plain Fastify routes beside Nest, documented from their own JSON Schemas).
    const decision = { direction: 'inbound', as2_from: 'CONTRACT-ACME', as2_to: 'CONTRACT-ME', message_id: '<contract-1@acme>' };
    expect((await call('POST', '/v1/traffic/decisions', 'gateway', decision)).status).toBe(200);
    expect((await call('POST', '/v1/traffic/decisions', 'gateway', { ...decision, as2_from: 'NOBODY' })).body.decision).toBe('reject');
    expect((await call('POST', '/v1/traffic/decisions', 'gateway', { ...decision, direction: 'sideways' })).status).toBe(422);
    expect((await call('POST', '/v1/traffic/decisions', 'writer', decision)).status).toBe(403);
    expect((await call('POST', '/v1/traffic/decisions', null, decision)).status).toBe(401);
    expect((await call('POST', '/v1/traffic/decisions:batch', 'gateway', { decisions: [decision, { ...decision, direction: 'outbound', as2_from: 'CONTRACT-ME', as2_to: 'CONTRACT-ACME' }] })).status).toBe(200);
    expect((await call('POST', '/v1/traffic/decisions:batch', 'gateway', { decisions: [] })).status).toBe(422);
    expect((await call('POST', '/v1/traffic/decisions:batch', 'gateway', '{"decisions": [', 'application/json')).status).toBe(400);
    expect((await call('POST', '/v1/traffic/decisions:batch', 'gateway', 'decisions', 'text/plain')).status).toBe(415);

    // Connection tests (a missing partner: nothing leaves the process), history, monitoring, the MDN receipt.
    await call('POST', '/v1/partners/prt_missing/test', 'writer', { test_type: 'ping' });
    await call('GET', `/v1/partners/${partnerId}/tests`, 'reader');
    await call('PUT', `/v1/partners/${partnerId}/monitoring`, 'writer', { enabled: false, test_type: 'ping', interval_minutes: 60 });
    await call('POST', '/v1/connection-tests/mdn', null, { not: 'an mdn' });
    await call('GET', '/v1/admin/followers', 'operator');
    await call('GET', '/v1/admin/parked-events', 'operator');
    await call('POST', '/v1/admin/parked-events/missing/replay', 'operator');
    await call('DELETE', `/v1/partners/${partnerId}`, 'writer');
    await call('DELETE', `/v1/accounts/${account}/partners/${masterId}`, 'admin');
    await call('DELETE', `/v1/accounts/${account}/tenants/${tenant}`, 'admin');

    expect(problems).toEqual([]);
    // The walk reached every operation: a new route joins it.
    const reached = new Set([...conformance.exercised].map((entry) => entry.split(' ').slice(0, 2).join(' ')));
    expect(operations().map(({ method, path }) => `${method.toUpperCase()} ${path}`).filter((op) => !reached.has(op))).toEqual([]);
  });
});
