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
 * closed: what it sent after that is not worked on, and its queued answers are dropped with it.
 */
export class UnansweredRequests {
  private readonly counts = new WeakMap<Socket, number>();

  constructor(private readonly max = MAX_UNANSWERED_PER_CONNECTION) {}

  /** The server's request hook: true when the request may be worked on (it is then counted until its response closes). */
  admit(response: ServerResponse): boolean {
    const socket = response.req.socket;
    const unanswered = this.counts.get(socket) ?? 0;
    if (unanswered >= this.max) {
      socket.destroy();
      return false;
    }
    this.counts.set(socket, unanswered + 1);
    response.once('close', () => this.counts.set(socket, (this.counts.get(socket) ?? 1) - 1));
    return true;
  }
}
