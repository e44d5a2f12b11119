import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterEarlierAnswers } from './client-error-answer';
import { errorTypeOf } from './error-body';
import { writeEarlyRefusal } from './early-refusal';

const EXPECTATION_FAILED_BODY = JSON.stringify({
  message: 'Only the 100-continue expectation can be met',
  error: { type: errorTypeOf(417), code: 'EXPECTATION_FAILED' },
});
/** What a 405 must list (RFC 9110 §15.5.6): the methods the server's routes take, CONNECT never among them. */
const CONNECT_ALLOW = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const CONNECT_BODY = JSON.stringify({ message: 'The CONNECT method is not allowed here', error: { type: errorTypeOf(405), code: 'METHOD_NOT_ALLOWED' } });

/**
 * The two requests Node's HTTP server answers itself, outside any route, answered in the house error shape: an
 * `Expect` other than 100-continue alone (Node's own 417 has no body) and `CONNECT` (Node closes the connection without a
 * word). 100-continue keeps Node's handling (the interim 100, then the route). `answered` hears each of these answers'
 * method and status (the metrics).
 */
export function answerExpectationsAndConnectInHouseShape(server: Server, answered: (method: string, status: number) => void = () => undefined): void {
  const refuse = (request: IncomingMessage, response: ServerResponse): void => {
    // The body, if the client sends it anyway, is framed by its Content-Length and dropped: the connection can go on.
    answered(request.method ?? 'GET', writeEarlyRefusal(response, 417, EXPECTATION_FAILED_BODY));
  };
  server.on('checkExpectation', refuse);
  // Node takes any Expect that names 100-continue among others (`100-continue, foo`) for 100-continue alone.
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if (!onlyContinue(request.headers.expect)) return refuse(request, response);
    response.writeContinue();
    server.emit('request', request, response);
  });
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    answered('CONNECT', 405);
    // Whatever follows a CONNECT's head is the tunnel's, not HTTP: answered after the requests before it, then closed.
    socket.on('error', () => undefined);
    afterEarlierAnswers(socket, () =>
      socket.end(`HTTP/1.1 405 Method Not Allowed\r\nAllow: ${CONNECT_ALLOW}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(CONNECT_BODY)}\r\nX-Content-Type-Options: nosniff\r\n\r\n${CONNECT_BODY}`),
    );
  });
}

/** Whether an Expect names 100-continue and nothing else (its list's empty elements aside, RFC 9110 §5.6.1.2). */
function onlyContinue(expect: string | undefined): boolean {
  const members = (expect ?? '').split(',').map((member) => member.trim().toLowerCase()).filter((member) => member !== '');
  return members.length > 0 && members.every((member) => member === '100-continue');
}
