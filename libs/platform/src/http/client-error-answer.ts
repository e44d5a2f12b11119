import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorTypeOf } from './error-body';

/** Node's parser errors with an answer of their own; every other refusal of the request's bytes is a 400. */
const ANSWERS: Readonly<Record<string, { readonly status: number; readonly message: string; readonly code: string }>> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'Request timeout', code: 'REQUEST_TIMEOUT' },
  HPE_HEADER_OVERFLOW: { status: 431, message: 'Request headers too large', code: 'HEADERS_TOO_LARGE' },
};
const BAD_REQUEST = { status: 400, message: 'Bad request', code: 'BAD_REQUEST' };

/**
 * The whole HTTP answer to a request Node's HTTP parser refused before any route saw it (Content-Length with
 * Transfer-Encoding, two Content-Lengths, a body shorter than declared, a timeout, headers too large), in the house
 * error shape, closing the connection (its bytes can no longer be framed).
 */
export function clientErrorResponse(errorCode: string | undefined): string {
  const { status, message, code } = (errorCode === undefined ? undefined : ANSWERS[errorCode]) ?? BAD_REQUEST;
  const body = JSON.stringify({ message, error: { type: errorTypeOf(status), code } });
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** The HTTP server's `clientError` listener (Fastify's `clientErrorHandler`): {@link clientErrorResponse}, then the socket closed. */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // a reset connection has nobody to answer
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) socket.write(clientErrorResponse(error.code));
  socket.destroy(error);
}
