import { IncomingMessage, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import Fastify from 'fastify';
import { FastLane, type FastLaneRoute } from './fast-lane';
import { HotPathRoutes } from './hot-path-routes';
import { jsonBodyTextParser } from './json-body-parser';

const LIMIT = 1024;

interface Written {
  status?: number;
  headers?: Record<string, string | number>;
  body?: string;
}

function requestOf(headers: Record<string, string>, method = 'POST'): IncomingMessage {
  const request = new IncomingMessage(new Socket());
  request.method = method;
  request.url = '/v1/things::do';
  request.headers = headers;
  return request;
}

function responseOf(): { response: ServerResponse; written: Written } {
  const written: Written = {};
  const response = {
    // the lane writes an object, or a flat name, value… list with CORS headers: read both as one object, in order
    writeHead: (status: number, headers: Record<string, string | number> | (string | number)[]) =>
      Object.assign(written, { status, headers: Array.isArray(headers) ? Object.fromEntries(headers.flatMap((item, i) => (i % 2 === 0 ? [[item, headers[i + 1]]] : []))) : headers }),
    end: (body: string) => void (written.body = body),
  } as unknown as ServerResponse;
  return { response, written };
}

/** A route that answers `{n: n + 1}` to callers whose `x-caller` header is set, with a hand-written validator. */
function laneOf(overrides: Partial<FastLaneRoute<string>> = {}, corsHeaders: Record<string, string> | null = null) {
  const counted: number[] = [];
  const admit = jest.fn((request: IncomingMessage) => request.headers['x-caller'] as string | undefined);
  const validate = Object.assign(
    (body: unknown) => {
      const ok = typeof body === 'object' && body !== null && typeof (body as { n?: unknown }).n === 'number';
      validate.errors = ok ? null : [{ instancePath: '/n', message: 'must be number', params: {} }];
      return ok;
    },
    { errors: null as { instancePath: string; message: string; params: object }[] | null },
  );
  const route: FastLaneRoute<string> = {
    method: 'POST',
    url: '/v1/things::do',
    admit,
    validate,
    answer: (body, caller) => ({ n: (body as { n: number }).n + 1, caller }),
    serialize: (answer) => JSON.stringify(answer),
    ...overrides,
  };
  const lane = new FastLane(route, LIMIT, jsonBodyTextParser(Fastify()), (status) => void counted.push(status), corsHeaders);
  return { lane, counted, admit };
}

const json = (length: number, extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', 'content-length': String(length), 'x-caller': 'gw', ...extra });

/** Sends `body` through a taken request and waits for the answer. */
async function answered(lane: FastLane<string>, body: Buffer | string, headers: Record<string, string> = json(Buffer.byteLength(body))): Promise<Written> {
  const request = requestOf(headers);
  const { response, written } = responseOf();
  expect(lane.take(request, response)).toBe(true);
  request.push(typeof body === 'string' ? Buffer.from(body) : body);
  request.push(null);
  await new Promise((resolve) => setImmediate(resolve));
  return written;
}

describe('FastLane', () => {
  describe('takes a request only when its headers say the route would answer it with its handler', () => {
    it.each([
      ['another method', json(8), 'PUT'],
      ['no content type', { 'content-length': '8', 'x-caller': 'gw' }, 'POST'],
      ['text/plain', json(8, { 'content-type': 'text/plain' }), 'POST'],
      ['a +json type (the route parses it; the lane leaves it)', json(8, { 'content-type': 'application/merge-patch+json' }), 'POST'],
      ['another charset', json(8, { 'content-type': 'application/json; charset=latin1' }), 'POST'],
      ['a chunked body', { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'x-caller': 'gw' }, 'POST'],
      ['a content encoding', json(8, { 'content-encoding': 'gzip' }), 'POST'],
      ['no content length', { 'content-type': 'application/json', 'x-caller': 'gw' }, 'POST'],
      ['an empty body', json(0), 'POST'],
      ['a body over the limit', json(LIMIT + 1), 'POST'],
      ['a browser (an Origin: CORS is the route\'s)', json(8, { origin: 'https://app.example.com' }), 'POST'],
      ['a caller the route does not admit', { 'content-type': 'application/json', 'content-length': '8' }, 'POST'],
    ])('declines %s', (_name, headers, method) => {
      const { lane, counted } = laneOf();
      const { response, written } = responseOf();
      expect(lane.take(requestOf(headers as Record<string, string>, method), response)).toBe(false);
      expect([written, counted]).toEqual([{}, []]);
    });

    it('asks the route to admit only a request whose other headers pass', () => {
      const { lane, admit } = laneOf();
      lane.take(requestOf(json(8, { 'content-type': 'text/plain' })), responseOf().response);
      expect(admit).not.toHaveBeenCalled();
    });

    it.each([['application/json'], ['Application/JSON'], ['application/json; charset=utf-8'], ['application/json;charset=UTF-8']])('takes %s and the body limit itself', async (type) => {
      const { lane, counted } = laneOf();
      const body = `{"n":41,"pad":"${'x'.repeat(LIMIT - 17)}"}`;
      expect(Buffer.byteLength(body)).toBe(LIMIT);
      const written = await answered(lane, body, json(LIMIT, { 'content-type': type, 'x-correlation-id': 'corr-1' }));
      expect(written).toEqual({
        status: 200,
        headers: { 'x-content-type-options': 'nosniff', 'x-correlation-id': 'corr-1', 'content-type': 'application/json; charset=utf-8', 'content-length': 22 },
        body: '{"n":42,"caller":"gw"}',
      });
      expect(counted).toEqual([200]);
    });
  });

  describe('answers a taken request as the route would', () => {
    it('a body in several chunks, a correlation id of its own when the caller sent none', async () => {
      const { lane } = laneOf();
      const request = requestOf(json(9));
      const { response, written } = responseOf();
      expect(lane.take(request, response)).toBe(true);
      request.push(Buffer.from('{"n":'));
      request.push(Buffer.from('1}  '));
      request.push(null);
      await new Promise((resolve) => setImmediate(resolve));
      expect(written.body).toBe('{"n":2,"caller":"gw"}');
      expect(written.headers?.['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it.each([
      ['malformed JSON', '{"n":', 400, 'MALFORMED_JSON'],
      ['a __proto__ key', '{"n":1,"__proto__":{"polluted":true}}', 422, 'VALIDATION_FAILED'],
      ['a constructor.prototype key', '{"n":1,"constructor":{"prototype":{"polluted":true}}}', 422, 'VALIDATION_FAILED'],
      ['nesting too deep', `{"n":1,"x":${'['.repeat(33)}${']'.repeat(33)}}`, 400, 'JSON_TOO_DEEP'],
      ['a NUL escape', '{"n":1,"s":"a\\u0000b"}', 422, 'INVALID_CHARACTERS'],
      ['a schema failure', '{"n":"one"}', 422, 'VALIDATION_FAILED'],
      ['a blank body', '  ', 422, 'VALIDATION_FAILED'],
    ])('%s: the house error the route answers', async (_name, body, status, code) => {
      const { lane, counted } = laneOf();
      const written = await answered(lane, body);
      expect([written.status, (JSON.parse(written.body as string) as { error: { code: string } }).error.code]).toEqual([status, code]);
      expect(Object.keys(written.headers ?? {})).toEqual(['x-content-type-options', 'x-correlation-id', 'content-type', 'content-length']);
      expect(counted).toEqual([status]);
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    });

    it('a body that is not UTF-8: 400 MALFORMED_JSON, as the route answers it', async () => {
      const { lane } = laneOf();
      const written = await answered(lane, Buffer.from([0x7b, 0xff, 0x7d]));
      expect(written.status).toBe(400);
      expect(Object.keys(written.headers ?? {})).toEqual(['x-content-type-options', 'x-correlation-id', 'content-type', 'content-length']);
      expect(JSON.parse(written.body as string)).toEqual({ message: 'Malformed JSON body', error: { type: 'invalid_request_error', code: 'MALFORMED_JSON' } });
    });

    it("with CORS on, the CORS headers of the route's answer to a request without an Origin come first, its errors' too", async () => {
      const cors = { vary: 'Origin', 'access-control-expose-headers': 'x-correlation-id' };
      const ok = await answered(laneOf({}, cors).lane, '{"n":1}');
      expect(ok.headers).toEqual({ ...cors, 'x-content-type-options': 'nosniff', 'x-correlation-id': expect.any(String), 'content-type': 'application/json; charset=utf-8', 'content-length': 21 });
      expect(Object.keys(ok.headers ?? {})).toEqual(['x-content-type-options', 'vary', 'access-control-expose-headers', 'x-correlation-id', 'content-type', 'content-length']);
      const refused = await answered(laneOf({}, cors).lane, Buffer.from([0x7b, 0xff, 0x7d]));
      expect(Object.keys(refused.headers ?? {})).toEqual(['x-content-type-options', 'vary', 'access-control-expose-headers', 'x-correlation-id', 'content-type', 'content-length']);
    });

    it('an answer that throws is a 500 in the house shape', async () => {
      const { lane, counted } = laneOf({
        answer: () => {
          throw new Error('boom');
        },
      });
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        const written = await answered(lane, '{"n":1}');
        expect([written.status, JSON.parse(written.body as string)]).toEqual([500, { message: 'Internal server error', error: { type: 'api_error', code: 'INTERNAL_ERROR' } }]);
        expect(counted).toEqual([500]);
        // Its line names the request as the client knows it: the correlation id it was answered with.
        const correlationId = (written.headers as Record<string, string>)['x-correlation-id'];
        expect(correlationId).toEqual(expect.any(String));
        expect(logged.mock.calls).toEqual([[{ msg: expect.stringContaining('boom'), route: expect.stringContaining('POST'), statusCode: 500, correlationId }]]);
      } finally {
        logged.mockRestore();
      }
    });

    it('a request aborted mid-body: no answer, no count, nothing thrown', async () => {
      const { lane, counted } = laneOf();
      const request = requestOf(json(8));
      const { response, written } = responseOf();
      expect(lane.take(request, response)).toBe(true);
      request.push(Buffer.from('{"n"'));
      request.destroy(new Error('aborted'));
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect([written, counted, request.destroyed]).toEqual([{}, [], true]);
    });
  });

  it('HotPathRoutes gives a lane only to an exact-path route registered before it, one per path', () => {
    const hotPath = new HotPathRoutes(LIMIT);
    const lane: FastLaneRoute<string> = { method: 'POST', url: '/v1/things::do', admit: () => 'gw', validate: () => true, answer: () => ({}), serialize: () => '{}' };
    expect(() => hotPath.fastLane(lane)).toThrow(/registered first/);
    hotPath.route({ method: 'POST', url: '/v1/things::do', handler: async () => ({}) });
    hotPath.fastLane(lane);
    expect(() => hotPath.fastLane(lane)).toThrow(/one fast lane per path/);
  });
});
