import { clientErrorResponse } from './client-error-answer';

const parsed = (text: string) => {
  const [head, body] = text.split('\r\n\r\n') as [string, string];
  const [statusLine, ...headers] = head.split('\r\n');
  return { statusLine, headers, body: JSON.parse(body) as unknown, length: Buffer.byteLength(body) };
};

describe('clientErrorResponse', () => {
  it.each([
    [undefined, 'HTTP/1.1 400 Bad Request', { message: 'Bad request', error: { type: 'invalid_request_error', code: 'BAD_REQUEST' } }],
    ['HPE_UNEXPECTED_CONTENT_LENGTH', 'HTTP/1.1 400 Bad Request', { message: 'Bad request', error: { type: 'invalid_request_error', code: 'BAD_REQUEST' } }],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'HTTP/1.1 408 Request Timeout', { message: 'Request timeout', error: { type: 'invalid_request_error', code: 'REQUEST_TIMEOUT' } }],
    ['HPE_HEADER_OVERFLOW', 'HTTP/1.1 431 Request Header Fields Too Large', { message: 'Request line or headers too large', error: { type: 'invalid_request_error', code: 'HEADERS_TOO_LARGE' } }],
  ])('%s: %s in the house error shape, closing the connection, with nosniff as every answer', (code, statusLine, body) => {
    const answer = parsed(clientErrorResponse(code));
    expect(answer.statusLine).toBe(statusLine);
    expect(answer.body).toEqual(body);
    expect(answer.headers).toEqual(['Connection: close', 'Content-Type: application/json; charset=utf-8', 'x-content-type-options: nosniff', `Content-Length: ${answer.length}`]);
  });
});
