import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorTypeOf } from './error-body';
import { NO_SNIFFING } from './no-sniffing';

/** Node's parser errors with an answer of their own; every other refusal of the request's bytes is a 400. */
const ANSWERS: Readonly<Record<string, { readonly status: number; readonly message: string; readonly code: string }>> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'Request timeout', code: 'REQUEST_TIMEOUT' },
  HPE_HEADER_OVERFLOW: { status: 431, message: 'Request line or headers too large', code: 'HEADERS_TOO_LARGE' },
};
const BAD_REQUEST = { status: 400, message: 'Bad request', code: 'BAD_REQUEST' };

const answerTo = (errorCode: string | undefined) => (errorCode === undefined ? undefined : ANSWERS[errorCode]) ?? BAD_REQUEST;

/**
 * The whole HTTP answer to a request Node's HTTP parser refused before any route saw it (Content-Length with
 * Transfer-Encoding, two Content-Lengths, a body shorter than declared, a timeout, headers too large), in the house
 * error shape, closing the connection (its bytes can no longer be framed).
 */
export function clientErrorResponse(errorCode: string | undefined): string {
  const { status, message, code } = answerTo(errorCode);
  const body = JSON.stringify({ message, error: { type: errorTypeOf(status), code } });
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n${NO_SNIFFING[0]}: ${NO_SNIFFING[1]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** The longest a refusal waits for the answers to the requests before it on its connection (a connection test runs up to 120 s). */
export const EARLIER_ANSWERS_WAIT_MS = 130_000;

/** The response Node is writing on the connection now (the next pipelined one is attached once it finishes), and its parser's request. */
type AnsweringSocket = Duplex & { _httpMessage?: ServerResponse | null; parser?: { incoming?: IncomingMessage | null } | null };

/**
 * Whether the request whose bytes the parser refused already had its answer: its head was read (it is the parser's
 * request), its body is not whole, and no answer is being written on the connection (the one made for it finished) or
 * the one being written is its own, ended (a refusal written as its head came, its bytes refused a moment after).
 */
function answeredWhileIncomplete(socket: Duplex): boolean {
  const { _httpMessage: answering, parser } = socket as AnsweringSocket;
  const incoming = parser?.incoming;
  if (incoming === undefined || incoming === null || incoming.complete || incoming.socket !== socket) return false;
  return answering === undefined || answering === null || (answering.req === incoming && answering.writableEnded);
}

/**
 * The HTTP server's `clientError` listener (Fastify's `clientErrorHandler`): {@link clientErrorResponse}, then the socket
 * closed. A request refused for its bytes may follow requests pipelined before it on the same connection whose
 * answers are still being made (they were parsed and run): the refusal comes after them, in request order, as HTTP/1.1
 * requires, instead of cutting them off (a write then ran while its client read a 400). A timeout is the request's own:
 * answered at once. `answered` hears the status of each answer written (the metrics).
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex, answered: (status: number) => void = () => undefined): void {
  // a reset connection has nobody to answer
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // The request the parser gave up on was answered already (a route refused it before its body, 401 or 413, and the
  // body then never came whole): a second answer would be to no request. The connection is closed, nothing counted.
  if (answeredWhileIncomplete(socket)) {
    socket.destroy(error);
    return;
  }
  const answer = () => {
    if (socket.writable) {
      socket.write(clientErrorResponse(error.code));
      answered(answerTo(error.code).status);
    }
    socket.destroy(error);
  };
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') answer();
  else afterEarlierAnswers(socket, answer);
}

/**
 * Runs `answer` (the last thing written on the connection) once the answers to the requests parsed before it on the
 * same connection are written (at most until `waitUntil`): HTTP/1.1 answers pipelined requests in order.
 */
export function afterEarlierAnswers(socket: Duplex, answer: () => void, waitUntil = Date.now() + EARLIER_ANSWERS_WAIT_MS): void {
  if (socket.destroyed) return;
  const earlier = (socket as AnsweringSocket)._httpMessage;
  // The answer being made is to the request whose body the parser refused (an invalid chunk): it waits for that body,
  // which will never come, so the refusal is the answer now (not the request timeout's 408 after REQUEST_TIMEOUT_MS).
  const itsOwn = earlier?.req !== undefined && !earlier.req.complete;
  if (earlier && !earlier.writableFinished && !itsOwn && Date.now() < waitUntil) {
    // Node attaches the next queued answer when this one finishes (its own listener runs first): checked again then.
    const next = () => {
      clearTimeout(timer);
      earlier.off('finish', next);
      earlier.off('close', next);
      afterEarlierAnswers(socket, answer, waitUntil);
    };
    const timer = setTimeout(next, Math.max(0, waitUntil - Date.now()));
    earlier.once('finish', next);
    earlier.once('close', next);
    return;
  }
  answer();
}
