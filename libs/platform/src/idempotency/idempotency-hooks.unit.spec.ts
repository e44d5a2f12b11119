import Fastify from 'fastify';
import { Logger } from '@nestjs/common';
import { markClaimed, registerIdempotencyHooks } from './idempotency-hooks';
import type { IdempotencyKeys } from './idempotency-keys';

describe('the Idempotency-Key answer hooks (registerIdempotencyHooks)', () => {
  const answers: Record<string, { status: number; body: object }> = {
    created: { status: 201, body: { data: { id: 'prt_1' } } },
    duplicate: { status: 422, body: { message: 'taken', error: { type: 'validation_error', code: 'DUPLICATE_AS2_ID' } } },
    'in-use': { status: 409, body: { message: 'in use', error: { type: 'invalid_request_error', code: 'STATION_IN_USE' } } },
    'lost-race': { status: 409, body: { message: 'reload and retry', error: { type: 'invalid_request_error', code: 'CONCURRENT_MODIFICATION' } } },
    'replay-failed': { status: 409, body: { message: 'it stays parked', error: { type: 'invalid_request_error', code: 'PARKED_EVENT_REPLAY_FAILED' } } },
    'too-many': { status: 429, body: { message: 'retry when one has finished', error: { type: 'rate_limit_error', code: 'TOO_MANY_CONCURRENT_TESTS' } } },
    timeout: { status: 408, body: { message: 'timeout', error: { type: 'invalid_request_error', code: 'REQUEST_TIMEOUT' } } },
    failed: { status: 500, body: { message: 'Internal server error', error: { type: 'api_error', code: 'INTERNAL_ERROR' } } },
  };

  it('keeps an answer that decided the request, and frees the key of one that asks for a retry (429, 408, 409 CONCURRENT_MODIFICATION or PARKED_EVENT_REPLAY_FAILED, 5xx)', async () => {
    const kept: string[] = [];
    const released: string[] = [];
    const keys = { complete: async (id: string) => void kept.push(id), release: async (id: string) => void released.push(id), stop: async () => undefined } as unknown as IdempotencyKeys;
    const app = Fastify();
    registerIdempotencyHooks(app, keys, new Logger('test'));
    app.post('/:answer', async (request, reply) => {
      const name = (request.params as { answer: string }).answer;
      markClaimed(request, { id: name, fingerprint: 'f' });
      return reply.code(answers[name].status).send(answers[name].body);
    });
    for (const name of Object.keys(answers)) expect((await app.inject({ method: 'POST', url: `/${name}` })).statusCode).toBe(answers[name].status);
    await app.close();
    expect({ kept, released }).toEqual({ kept: ['created', 'duplicate', 'in-use'], released: ['lost-race', 'replay-failed', 'too-many', 'timeout', 'failed'] });
  });
});
