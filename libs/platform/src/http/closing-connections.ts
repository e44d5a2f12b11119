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

  /** Per connection with answer bytes waiting for the client: how many it had taken then, and since when none more. */
  private readonly waitingToBeRead = new WeakMap<Socket, { readonly taken: number; readonly since: number }>();

  /**
   * Closes each connection whose answer bytes have waited for its client `stallMs` without any taken (a client that stops
   * reading holds its answer in the server's memory for as long as it keeps the connection: a 20 MB list held by twenty
   * sockets was 400 MB). Node counts one write as taken only once the kernel has all of it, so an answer written at once
   * must be taken whole within `stallMs`; one written in parts, part by part. Called on an interval.
   */
  dropStalledReaders(stallMs: number, now: number = Date.now()): void {
    for (const socket of this.sockets) {
      const waiting = socket.writableLength;
      const last = this.waitingToBeRead.get(socket);
      // bytesWritten counts the bytes handed to the socket, taken or still waiting.
      const taken = socket.bytesWritten - waiting;
      if (waiting === 0) {
        if (last) this.waitingToBeRead.delete(socket);
      } else if (!last || taken > last.taken) {
        this.waitingToBeRead.set(socket, { taken, since: now });
      } else if (now - last.since >= stallMs) {
        socket.destroy();
      }
    }
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
