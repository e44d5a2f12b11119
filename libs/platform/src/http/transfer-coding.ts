import type { IncomingMessage } from 'node:http';
import { errorTypeOf } from './error-body';

/**
 * Whether a request's Transfer-Encoding names a coding besides `chunked` (`gzip, chunked`, `foo, chunked`): Node's parser
 * frames such a body by its final `chunked` and hands it on as if no other coding were there, so a compressed body was
 * read as JSON (400 MALFORMED_JSON) and an unknown coding ignored. RFC 9112 §6.1: a server that does not understand a
 * transfer coding answers 501. (`chunked` not last, or given twice, is Node's own 400.)
 */
export function hasUnsupportedTransferCoding(request: IncomingMessage): boolean {
  const codings = request.headers['transfer-encoding'];
  if (codings === undefined) return false;
  // Empty list elements are no coding (RFC 9110 §5.6.1.2).
  return codings.split(',').some((name) => {
    const named = name.trim().toLowerCase();
    return named !== '' && named !== 'chunked';
  });
}

/** The 501's body: the codings named, in the house error shape. */
export function transferCodingRefusalBody(request: IncomingMessage): string {
  const codings = String(request.headers['transfer-encoding']).trim().slice(0, 64);
  const message = `The request body must be sent with no transfer coding but chunked (Transfer-Encoding: ${codings} is not supported)`;
  return JSON.stringify({ message, error: { type: errorTypeOf(501), code: 'NOT_IMPLEMENTED' } });
}
