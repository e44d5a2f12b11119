import { correlationIdFromHeader, requestIdsOf } from './request-ids';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('keeps a plain correlation id from the header', () => expect(correlationIdFromHeader('order-42:retry.1')).toBe('order-42:retry.1'));

  it.each([undefined, '', 'has space', 'line\nbreak', 'x'.repeat(129), '<script>'])('replaces %p by a new UUID', (header) =>
    expect(correlationIdFromHeader(header)).toMatch(UUID));

  it('takes the first of repeated headers', () => expect(correlationIdFromHeader(['first', 'second'])).toBe('first'));

  it('assigns ids once per request', () => {
    const request = { headers: { 'x-correlation-id': 'abc' } };
    const ids = requestIdsOf(request);
    expect(ids.correlationId).toBe('abc');
    expect(ids.requestId).toMatch(UUID);
    expect(requestIdsOf(request)).toBe(ids);
  });
});
