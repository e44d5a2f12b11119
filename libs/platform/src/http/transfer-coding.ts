import type { IncomingMessage } from 'node:http';
import { errorTypeOf } from './error-body';

/** How a request's Transfer-Encoding is refused: its status and house-shaped body. */
export interface TransferCodingRefusal {
  readonly status: 400 | 501;
  readonly body: string;
}

/**
 * The refusal of a request's Transfer-Encoding, null when it is none or `chunked` alone. Node's parser frames a body by
 * a final `chunked` whatever codings come before it (`gzip, chunked`, `foo, chunked`) and hands it on as if they were
 * not there, so a compressed body was read as JSON and an unknown coding ignored: 501, as RFC 9112 §6.1 answers a
 * coding a server does not understand. Codings that do not end in `chunked` leave the body's length unknown: 400 (RFC
 * 9112 §6.3), answered here before any route (the parser's own refusal came after the route had answered).
 */
export function transferCodingRefusalOf(request: IncomingMessage): TransferCodingRefusal | null {
  const header = request.headers['transfer-encoding'];
  if (header === undefined) return null;
  // Empty list elements are no coding (RFC 9110 §5.6.1.2).
  const codings = header.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  const named = header.trim().slice(0, 64);
  if (codings.at(-1) !== 'chunked') {
    const message = `The request body's length cannot be known: its Transfer-Encoding (${named}) does not end in chunked`;
    return { status: 400, body: JSON.stringify({ message, error: { type: errorTypeOf(400), code: 'BAD_REQUEST' } }) };
  }
  if (codings.every((name) => name === 'chunked')) return null;
  const message = `The request body must be sent with no transfer coding but chunked (Transfer-Encoding: ${named} is not supported)`;
  return { status: 501, body: JSON.stringify({ message, error: { type: errorTypeOf(501), code: 'NOT_IMPLEMENTED' } }) };
}
