import type { IncomingMessage } from 'node:http';

/**
 * Whether a request's body is sent in a content coding this API does not decode (RFC 9110 §8.4: gzip, deflate, br…;
 * `identity`, or no Content-Encoding, is the body as it is). Such a body would otherwise be read as JSON or as a form
 * and refused for what it looks like; RFC 9110 §15.5.16 answers it 415, and RFC 7694 §3 names the codings taken in
 * Accept-Encoding.
 */
export function hasUnsupportedContentCoding(request: IncomingMessage): boolean {
  const coding = request.headers['content-encoding'];
  if (coding === undefined || !hasBody(request)) return false;
  // Empty list elements are no coding (RFC 9110 §5.6.1.2: a recipient ignores them).
  return coding.split(',').some((name) => {
    const named = name.trim().toLowerCase();
    return named !== '' && named !== 'identity';
  });
}

/** A body follows the head: chunked, or a Content-Length above 0 (RFC 9112 §6.3). */
function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) !== 0);
}

/** The 415's body: the coding named, in the house error shape. */
export function contentCodingRefusalBody(request: IncomingMessage): string {
  const coding = String(request.headers['content-encoding']).trim().slice(0, 64);
  const message = `The request body must be sent without a content coding (Content-Encoding: ${coding} is not supported)`;
  return JSON.stringify({ message, error: { type: 'invalid_request_error', code: 'UNSUPPORTED_MEDIA_TYPE' } });
}
