import { errorTypeOf } from './error-body';

describe('errorTypeOf', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'authorization_error'],
    [404, 'not_found_error'],
    [409, 'conflict_error'],
    [413, 'invalid_request_error'],
    [415, 'invalid_request_error'],
    [422, 'validation_error'],
    [500, 'api_error'],
    [503, 'api_error'],
  ])('%i → %s', (status, type) => expect(errorTypeOf(status)).toBe(type));
});
