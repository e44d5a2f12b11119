import { BadGatewayException, BadRequestException, ConflictException, Logger, ServiceUnavailableException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { DomainError, EventStoreUnavailableError, WrongExpectedRevisionError } from '@as2-partners/kernel';
import { registerDomainErrorStatuses } from './domain-error-statuses';
import type { InfrastructureConnections } from '../event-sourcing/infrastructure-connections';
import { HttpErrorFilter } from './http-error.filter';
import { MalformedJsonError } from './malformed-json.error';
import { registerStoreOutage } from './store-outage';

const filter = new HttpErrorFilter({} as HttpAdapterHost);

describe('HttpErrorFilter.toResponse', () => {
  it("answers Fastify's refusal of a content type in the house's words: what the route takes, and the type sent (none: said so, never 'undefined')", () => {
    const refusal = (type: string) => Object.assign(new Error(`Unsupported Media Type: ${type}`), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
    expect(filter.toResponse(refusal('undefined')).body).toEqual({ message: 'The request body has no Content-Type: send it as application/json', error: { type: 'invalid_request_error', code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(filter.toResponse(refusal('text/plain')).body.message).toBe('The request body must be application/json, not text/plain');
    expect(filter.toResponse(new UnsupportedMediaTypeException('Unsupported Media Type: undefined')).body.message).toBe('The request body has no Content-Type: send it as application/json');
    expect(filter.toResponse(new UnsupportedMediaTypeException('This route does not take a multipart/form-data body')).body.message).toMatch(/multipart/);
  });

  it("shows a rule's message timestamps as every body does, with six fraction digits", () => {
    registerDomainErrorStatuses({ SPEC_OVERLAP: 409, SPEC_WINDOW: 422 });
    expect(filter.toResponse(new DomainError('SPEC_OVERLAP', 'Open until 2026-12-13T23:35:04.000Z: retire after it')).body.message).toBe('Open until 2026-12-13T23:35:04.000000Z: retire after it');
    expect(filter.toResponse(new DomainError('SPEC_WINDOW', 'Not before 2026-12-13T23:35:04.120Z', 'activate_at')).body.errors).toEqual({ activate_at: ['Not before 2026-12-13T23:35:04.120000Z'] });
  });

  it("answers a not-found 503 STORE_UNAVAILABLE while the views may have lost writes (a failed read-model commit): they may deny what is stored", () => {
    registerDomainErrorStatuses({ SPEC_PARTNER_NOT_FOUND: 404, SPEC_INVALID: 422 });
    let lost: Error | null = null;
    const watching = new HttpErrorFilter({} as HttpAdapterHost, { viewsRefusal: () => lost } as unknown as InfrastructureConnections);
    const notFound = new DomainError('SPEC_PARTNER_NOT_FOUND', 'Partner prt_1 not found');
    expect(watching.toResponse(notFound).status).toBe(404);
    lost = new Error('a read-model commit failed');
    const refused = watching.toResponse(notFound);
    expect([refused.status, refused.body.error?.code, refused.headers]).toEqual([503, 'STORE_UNAVAILABLE', { 'Retry-After': '5' }]);
    expect(JSON.stringify(refused.body)).not.toMatch(/read-model/);
    // what the views do not decide stays as it is
    expect(watching.toResponse(new DomainError('SPEC_INVALID', 'bad')).status).toBe(422);
    expect(filter.toResponse(notFound).status).toBe(404);
  });

  it('maps a concurrency conflict to 409 CONCURRENT_MODIFICATION', () => {
    const { status, body } = filter.toResponse(new WrongExpectedRevisionError('partner-prt_1', 3, 4));
    expect(status).toBe(409);
    expect(body.error).toEqual({ type: 'conflict_error', code: 'CONCURRENT_MODIFICATION' });
    expect(body.message).not.toContain('partner-prt_1');
  });

  it('answers a write the event store could not take 503 STORE_UNAVAILABLE with Retry-After, its cause kept out of the body', () => {
    const cause = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const refused = filter.toResponse(new EventStoreUnavailableError('The event store cannot write now (SQLITE_FULL)', false, { cause }));
    expect(refused.status).toBe(503);
    expect(refused.headers).toEqual({ 'Retry-After': '5' });
    expect(refused.body.error).toEqual({ type: 'api_error', code: 'STORE_UNAVAILABLE' });
    expect(refused.body.message).toMatch(/nothing was changed/);
    expect(JSON.stringify(refused.body)).not.toMatch(/SQLITE|disk/);
    const unconfirmed = filter.toResponse(new EventStoreUnavailableError('The write was committed but could not be synced', true));
    expect(unconfirmed.status).toBe(503);
    expect(unconfirmed.body.message).toMatch(/may have been stored.*same Idempotency-Key/);
  });

  it("answers a registered store outage 503 STORE_UNAVAILABLE (a server that cannot be reached), also as an error's cause; anything else stays 500", () => {
    class FakeSelectionError extends Error {
      override readonly name = 'FakeSelectionError';
    }
    const unreachable = new FakeSelectionError('Server selection timed out after 10000 ms');
    expect(filter.toResponse(unreachable).status).toBe(500);
    registerStoreOutage((error) => error instanceof FakeSelectionError);
    const outage = filter.toResponse(unreachable);
    expect([outage.status, outage.body.error?.code, outage.headers]).toEqual([503, 'STORE_UNAVAILABLE', { 'Retry-After': '5' }]);
    expect(JSON.stringify(outage.body)).not.toContain('selection');
    expect(filter.toResponse(new Error('while reading', { cause: unreachable })).status).toBe(503);
    expect(filter.toResponse(new Error('a bug')).status).toBe(500);
  });

  it("shows a DomainError's details as every body: timestamps with six fraction digits", () => {
    registerDomainErrorStatuses({ FILTER_OVERLAP: 409 });
    const { body } = filter.toResponse(new DomainError('FILTER_OVERLAP', 'Overlap open', undefined, { overlap_until: '2026-12-10T05:26:00.000Z', partner_ids: ['prt_1'] }));
    expect(body.error?.details).toEqual({ overlap_until: '2026-12-10T05:26:00.000000Z', partner_ids: ['prt_1'] });
  });

  it('keeps a 422 DomainError without a field in the plain shape', () => {
    registerDomainErrorStatuses({ FILTER_UNSUPPORTED_ALGORITHM: 422 });
    expect(filter.toResponse(new DomainError('FILTER_UNSUPPORTED_ALGORITHM', 'Algorithm not supported'))).toEqual({
      status: 422,
      body: { message: 'Algorithm not supported', error: { type: 'validation_error', code: 'FILTER_UNSUPPORTED_ALGORITHM' } },
    });
  });

  it('keeps details in the validation shape of a 422 DomainError with a field', () => {
    registerDomainErrorStatuses({ FILTER_DUPLICATE: 422 });
    expect(filter.toResponse(new DomainError('FILTER_DUPLICATE', 'taken', 'as2_id', { existing: 'prt_1' })).body).toEqual({
      message: 'Validation failed',
      errors: { as2_id: ['taken'] },
      error: { type: 'validation_error', code: 'FILTER_DUPLICATE', details: { existing: 'prt_1' } },
    });
  });

  it('uses the field only for 422: a 409 DomainError with a field keeps the plain shape', () => {
    registerDomainErrorStatuses({ FILTER_CONFLICT: 409 });
    expect(filter.toResponse(new DomainError('FILTER_CONFLICT', 'in use', 'as2_id')).body).toEqual({
      message: 'in use',
      error: { type: 'conflict_error', code: 'FILTER_CONFLICT' },
    });
  });

  it('maps malformed JSON to 400', () => {
    expect(filter.toResponse(new MalformedJsonError('Unexpected end')).body).toEqual({ message: 'Malformed JSON body', error: { type: 'invalid_request_error', code: 'MALFORMED_JSON' } });
  });

  it('keeps the message and a given code of a 4xx HttpException', () => {
    expect(filter.toResponse(new ConflictException('Already archived')).body).toEqual({ message: 'Already archived', error: { type: 'conflict_error', code: 'CONFLICT' } });
    expect(filter.toResponse(new BadRequestException({ message: 'No', code: 'SPECIFIC' })).body.error).toEqual({ type: 'invalid_request_error', code: 'SPECIFIC' });
  });

  it('hides 5xx HttpExceptions behind INTERNAL_ERROR, except 503 (readiness: which connection is down)', () => {
    expect(filter.toResponse(new BadGatewayException('upstream 10.0.0.5 down'))).toEqual({
      status: 500,
      body: { message: 'Internal server error', error: { type: 'api_error', code: 'INTERNAL_ERROR' } },
    });
    expect(filter.toResponse(new ServiceUnavailableException({ status: 'error', details: { eventStore: { status: 'down' } } }))).toEqual({
      status: 503,
      body: { message: 'Service unavailable.', error: { type: 'api_error', code: 'SERVICE_UNAVAILABLE', details: { eventStore: { status: 'down' } } } },
    });
  });

  it('answers a body the client stopped sending (Node\'s "aborted", marked 400 by Fastify) with 400, not 500, and logs no error', () => {
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET', statusCode: 400 });
    expect(filter.toResponse(aborted)).toEqual({ status: 400, body: { message: 'Bad request', error: { type: 'invalid_request_error', code: 'BAD_REQUEST' } } });
    const tooLarge = Object.assign(new Error('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    expect(filter.toResponse(tooLarge).status).toBe(413);
    // an error of anyone else that carries a status (an HTTP client's answer) is still a 500 of ours
    expect(filter.toResponse(Object.assign(new Error('Not Found'), { statusCode: 404 })).status).toBe(500);
  });

  it("answers the static file server's refusals (a /docs path outside its root, a NUL in it) 404, not 500", () => {
    // What @fastify/send throws (http-errors): `expose` marks a client's error.
    for (const [name, status] of [['ForbiddenError', 403], ['BadRequestError', 400]] as const) {
      const refused = Object.assign(new Error(name), { name, status, statusCode: status, expose: true });
      expect(filter.toResponse(refused)).toEqual({ status: 404, body: { message: 'The requested resource was not found.', error: { type: 'not_found_error', code: 'NOT_FOUND' } } });
    }
    // A failed precondition or an unsatisfiable range keeps its status (RFC 9110 §13.1.1, §15.5.17).
    for (const [name, status, code] of [['PreconditionFailedError', 412, 'PRECONDITION_FAILED'], ['RangeNotSatisfiableError', 416, 'RANGE_NOT_SATISFIABLE']] as const) {
      const refused = Object.assign(new Error(name), { name, status, statusCode: status, expose: true });
      expect([filter.toResponse(refused).status, filter.toResponse(refused).body.error?.code]).toEqual([status, code]);
    }
  });

  it('answers 500 for a thrown non-error value', () => {
    expect(filter.toResponse('oops').status).toBe(500);
  });

  it("logs a rule's own 5xx answer (a DomainError such as 503 TESTER_BUSY) as a warning without a stack; a fault stays an error with its stack", () => {
    registerDomainErrorStatuses({ SPEC_BUSY: 503 });
    const replied: number[] = [];
    const host = { switchToHttp: () => ({ getRequest: () => ({ method: 'POST', url: '/v1/x?access_token=SECRET1&jwt=SECRET2', headers: {} }), getResponse: () => ({}) }) };
    const replying = new HttpErrorFilter({ httpAdapter: { setHeader: () => undefined, reply: (_: unknown, __: unknown, status: number) => replied.push(status) } } as unknown as HttpAdapterHost);
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const errored = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      replying.catch(new DomainError('SPEC_BUSY', 'busy'), host as never);
      expect([replied, warned.mock.calls.map((c) => c[0]), errored.mock.calls]).toEqual([[503], [expect.stringMatching(/^POST \/v1\/x\?access_token=\[redacted\]&jwt=\[redacted\] answered 503 SPEC_BUSY \(correlation /)], []]);
      replying.catch(new Error('boom'), host as never);
      expect([replied, errored.mock.calls.length, errored.mock.calls[0]?.[0], String(errored.mock.calls[0]?.[1])]).toEqual([
        [503, 500],
        1,
        expect.stringMatching(/^POST \/v1\/x\?access_token=\[redacted\]&jwt=\[redacted\] failed: answered 500 INTERNAL_ERROR \(correlation /),
        expect.stringContaining('boom'),
      ]);
    } finally {
      warned.mockRestore();
      errored.mockRestore();
    }
  });
});
