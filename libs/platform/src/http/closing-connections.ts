import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How often `answered` looks again: the requests a stop waits for take milliseconds to seconds. */
const ANSWERED_POLL_MS = 10;

/**
 * The server's connections, so that a closing server ends them instead of waiting on its clients. Node closes only the
 * connections idle when `server.close()` is called, keeps a connection alive after an answer given later, and stops
 * enforcing `requestTimeout`: a pooled keep-alive client (an ingress, the gateway) or a client stuck in its headers or
 * body held a SIGTERM past Kubernetes' grace period, until the pod was killed.
 */
export class ClosingConnections {
  private readonly sockets = new Set<Socket>();
  /** Each connection's latest request, through its response (`response.req`). */
  private readonly answering = new WeakMap<Socket, ServerResponse>();

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /**
   * The server's request hook: the connection now carries this request. Through the request's socket: a response to a
   * pipelined request has none of its own until the answers before it are written.
   */
  began(response: ServerResponse): void {
    this.answering.set(response.req.socket, response);
  }

  /** Resolves once no connection has a request being answered (or after `maxMs`, whichever comes first). */
  async answered(maxMs: number): Promise<void> {
    const until = Date.now() + maxMs;
    while ([...this.sockets].some((socket) => this.answering.get(socket)?.writableEnded === false) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, ANSWERED_POLL_MS));
    }
  }

  /**
   * The server begins to close: each request being answered is answered with `Connection: close` and its connection
   * ended, and each connection that has sent nothing yet is closed; after `requestTimeoutMs` (the time a client has to
   * send its headers and body) every connection not answering a request it sent in full is closed, while the handlers
   * still running keep theirs.
   */
  closeWithin(requestTimeoutMs: number): void {
    for (const socket of this.sockets) {
      const response = this.answering.get(socket);
      // A connection that has not sent a byte has no request to finish: closed now, not after the request timeout.
      if (response === undefined && socket.bytesRead === 0) {
        socket.destroy();
        continue;
      }
      if (response === undefined || response.writableEnded) continue;
      if (response.headersSent) response.once('finish', () => socket.end());
      else response.shouldKeepAlive = false;
    }
    setTimeout(() => {
      for (const socket of this.sockets) {
        const response = this.answering.get(socket);
        if (response === undefined || !response.req.complete || response.writableEnded) socket.destroy();
      }
    }, requestTimeoutMs).unref();
  }
}
