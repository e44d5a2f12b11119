import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How many requests one connection may have unanswered at once. HTTP/1.1 lets a client send requests without waiting for
 * the answers (pipelining); browsers and the usual HTTP clients never do, a client that does keeps this many in flight.
 */
export const MAX_UNANSWERED_PER_CONNECTION = 32;

/**
 * A connection's pipelined requests, worked on one at a time: each once the answer before it is written, when Node
 * gives its response the socket (the answer before it taken by the connection, not waiting in the server's memory for a
 * client that reads nothing). Node starts every request of a read at once: 200 requests for the OpenAPI document in one
 * 9 KB write were 200 answers of 772 KB built and held at once (470 MB), and 32 on each of 150 connections that read
 * nothing killed the process. A connection that sends one more than the maximum is closed: what it sent after that is
 * not worked on, and its queued requests are dropped with it.
 */
export class PipelinedRequests {
  /** Per connection, its requests read behind an unfinished answer and not answered yet. */
  private readonly queued = new WeakMap<Socket, number>();

  constructor(private readonly max = MAX_UNANSWERED_PER_CONNECTION) {}

  /**
   * The server's request hook: runs `work` at once for a request no answer on its connection is ahead of (a property
   * read), once the answers before it are written for a pipelined one, never for one past the maximum.
   */
  admit(request: IncomingMessage, response: ServerResponse, work: (request: IncomingMessage, response: ServerResponse) => void): void {
    if (response.socket !== null) return work(request, response);
    const socket = response.req.socket;
    const queued = this.queued.get(socket) ?? 0;
    // The answer being written, and `max - 1` behind it.
    if (queued + 1 >= this.max) {
      socket.destroy();
      return;
    }
    this.queued.set(socket, queued + 1);
    response.once('close', () => this.queued.set(socket, (this.queued.get(socket) ?? 1) - 1));
    response.once('socket', () => work(request, response));
  }
}
