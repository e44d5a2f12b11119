import type { AddressInfo } from 'node:net';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';

const ACCOUNT = 'acct-batch-hostile';
const item = (messageId: string) => `{"direction":"outbound","as2_from":"US","as2_to":"ACME","message_id":"${messageId}"}`;

/** Hostile batch bodies over a socket (the hot-path instance) and in process: a 4xx in the house shape, never a 5xx. */
describe('traffic decisions: hostile batch bodies', () => {
  let t: EmbeddedTestApp;
  let base: string;
  let authorization: string;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule, TrafficControlModule] });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    authorization = `Bearer ${t.token({ sub: 'gateway-hostile', account: ACCOUNT, tenant: null, roles: ['gateway'] })}`;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const overSocket = async (text: string) => {
    const response = await fetch(`${base}/v1/traffic/decisions:batch`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: text });
    return { status: response.status, body: (await response.json()) as { message: string; error: { type: string; code: string } } };
  };
  const inProcess = async (text: string) => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/traffic/decisions:batch', headers: { authorization, 'content-type': 'application/json' }, payload: text });
    return { status: response.statusCode, body: response.json() as { message: string; error: { type: string; code: string } } };
  };

  it.each([
    ['a __proto__ key in an item', `{"decisions":[${item('a')},{"direction":"outbound","as2_from":"US","as2_to":"ACME","message_id":"b","__proto__":{"polluted":true}}]}`, 422, 'VALIDATION_FAILED'],
    ['an escaped __proto__ key', `{"decisions":[{"direction":"outbound","as2_from":"US","as2_to":"ACME","message_id":"b","\\u005f_proto__":{"polluted":true}}]}`, 422, 'VALIDATION_FAILED'],
    ['a constructor.prototype key', `{"decisions":[${item('a')}],"constructor":{"prototype":{"polluted":true}}}`, 422, 'VALIDATION_FAILED'],
    // The value cap holds whatever key the body also holds: refused on its size, before any walk for the key.
    ['30,000 values and a __proto__ key', `{"decisions":[${item('a')}],"x":[${'0,'.repeat(30_000)}0],"y":{"__proto__":{"polluted":true}}}`, 413, 'PAYLOAD_TOO_LARGE'],
    ['nesting 33 levels deep', `{"decisions":[${item('a')}],"x":${'['.repeat(32)}${']'.repeat(32)}}`, 400, 'JSON_TOO_DEEP'],
    ['nesting 200,000 levels deep', `{"decisions":${'['.repeat(200_000)}${']'.repeat(200_000)}}`, 400, 'JSON_TOO_DEEP'],
    ['deep nesting that does not parse', `{"decisions":${'['.repeat(100)}`, 400, 'JSON_TOO_DEEP'],
    ['a body cut short', `{"decisions":[${item('a')}`, 400, 'MALFORMED_JSON'],
    ['1,001 items', `{"decisions":[${Array.from({ length: 1001 }, (_, i) => item(`m${i}`)).join(',')}]}`, 422, 'VALIDATION_FAILED'],
    ['no items', '{"decisions":[]}', 422, 'VALIDATION_FAILED'],
    ['an unknown top-level field', `{"decisions":[${item('a')}],"extra":1}`, 422, 'VALIDATION_FAILED'],
    ...['null', '[]', `[${item('a')}]`, '5', '"x"', 'true'].map((body) => [`${body.slice(0, 10)} as the body`, body, 400, 'INVALID_BODY'] as [string, string, number, string]),
  ])('%s: the 4xx and code listed, over a socket and in process, polluting nothing', async (_name, text, status, code) => {
    for (const send of [overSocket, inProcess]) {
      const answer = await send(text);
      expect({ status: answer.status, code: answer.body.error.code }).toEqual({ status, code });
      expect(answer.body.error.type).toMatch(/_error$/);
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('answers a single decision whose body is JSON but no object 400 INVALID_BODY, over a socket and in process, as every route does', async () => {
    for (const text of ['null', '[]', '5', '"x"', 'true']) {
      const socket = await fetch(`${base}/v1/traffic/decisions`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: text });
      const inProcess = await t.app.inject({ method: 'POST', url: '/v1/traffic/decisions', headers: { authorization, 'content-type': 'application/json' }, payload: text });
      for (const [status, body] of [[socket.status, await socket.json()], [inProcess.statusCode, inProcess.json()]]) {
        expect([text, status, body]).toEqual([text, 400, { message: 'The request body must be a JSON object', error: { type: 'invalid_request_error', code: 'INVALID_BODY' } }]);
      }
    }
    // No body at all is an empty one, as on the app's other routes: the required fields are named.
    for (const url of ['/v1/traffic/decisions', '/v1/traffic/decisions:batch']) {
      const none = await fetch(`${base}${url}`, { method: 'POST', headers: { authorization } });
      expect([url, none.status, ((await none.json()) as { error: { code: string } }).error.code]).toEqual([url, 422, 'VALIDATION_FAILED']);
      const inProcess = await t.app.inject({ method: 'POST', url, headers: { authorization } });
      expect([url, inProcess.statusCode, inProcess.json().error.code]).toEqual([url, 422, 'VALIDATION_FAILED']);
    }
  });
});
