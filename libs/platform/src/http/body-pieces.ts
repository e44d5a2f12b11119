import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { errorTypeOf } from './error-body';
import { writeEarlyRefusal } from './early-refusal';

/**
 * The most pieces a request's chunked body may come in. Node's parser hands each chunk to the request as a piece of its
 * own, and every reader (the JSON parser, the multipart reader) pays for each: a body of a byte a chunk cost ~7 µs a
 * byte, seconds of event loop for a body within BODY_LIMIT_BYTES. Clients send chunks of kilobytes (2 MiB, the largest
 * body taken, in chunks of 256 bytes is this many).
 */
export const MAX_BODY_PIECES = 8_192;

const TOO_MANY_PIECES_BODY = JSON.stringify({
  message: `The body came in more than ${MAX_BODY_PIECES} chunks; send it in larger ones`,
  error: { type: errorTypeOf(413), code: 'PAYLOAD_TOO_LARGE' },
});

/**
 * Counts the pieces of a chunked request body as Node's parser pushes them; past MAX_BODY_PIECES the request is answered
 * 413 PAYLOAD_TOO_LARGE (unless an answer has begun) and its connection closed, the rest of its body never read: the
 * piece is refused, which stops the socket's reads, and no reader sees more. The request is its route's by then (the
 * body is read once routed): the route's metrics count the answer, as its own. `refusalHeaders` gives the refusal's
 * headers besides its own (the CORS headers of the request's origin, so a browser's page reads why).
 */
export function capBodyPieces(request: IncomingMessage, response: ServerResponse, refusalHeaders: () => OutgoingHttpHeaders = () => ({})): void {
  if (request.headers['transfer-encoding'] === undefined) return;
  let pieces = 0;
  let refused = false;
  // A route that answers without reading the body (401, 404, 405…): Node then parses the rest of it without pushing it
  // anywhere, uncounted. Read on instead (and dropped), so every piece still passes here: past the cap the connection
  // is closed. Before Node's own listener, which would take the body as unread then.
  response.prependOnceListener('finish', () => {
    if (!request.complete && !refused) request.resume();
  });
  const push = request.push;
  request.push = function pushCounted(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    // Refused: nothing more reaches a reader, the body's end least of all (a reader would take the part read for the whole).
    if (refused) return false;
    if (chunk === null || ++pieces <= MAX_BODY_PIECES) return push.call(this, chunk, encoding);
    refused = true;
    if (!response.headersSent) {
      writeEarlyRefusal(response, 413, TOO_MANY_PIECES_BODY, { ...refusalHeaders(), connection: 'close' });
      response.once('finish', () => request.socket.destroy());
    } else request.socket.destroy();
    return false;
  };
}
