import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How many requests one connection may have unanswered at once. HTTP/1.1 lets a client send requests without waiting for
 * the answers (pipelining); Node starts each one as soon as it is read, so 200 requests for the OpenAPI document in
 * one 9 KB write were 200 answers of 772 KB built and held at once (470 MB), and 500 stalled every other client for
 * seconds. Browsers and the usual HTTP clients never pipeline; a client that does keeps this many in flight.
 */
export const MAX_UNANSWERED_PER_CONNECTION = 32;

/**
 * The requests each connection has begun and not yet answered. A connection that begins one more than the maximum is
 * closed: what it sent after that is not worked on, and its queued answers are dropped with it. Only a pipelined request
 * is counted: Node gives a response its socket at once unless an earlier answer on the connection is still being
 * written, so a request that waits for none costs one property read.
 */
export class UnansweredRequests {
  /** Per connection, its requests begun behind an unfinished answer and not answered yet. */
  private readonly queued = new WeakMap<Socket, number>();

  constructor(private readonly max = MAX_UNANSWERED_PER_CONNECTION) {}

  /** The server's request hook: true when the request may be worked on. */
  admit(response: ServerResponse): boolean {
    if (response.socket !== null) return true;
    const socket = response.req.socket;
    const queued = this.queued.get(socket) ?? 0;
    // The answer being written, and `max - 1` behind it.
    if (queued + 1 >= this.max) {
      socket.destroy();
      return false;
    }
    this.queued.set(socket, queued + 1);
    response.once('close', () => this.queued.set(socket, (this.queued.get(socket) ?? 1) - 1));
    return true;
  }
}
