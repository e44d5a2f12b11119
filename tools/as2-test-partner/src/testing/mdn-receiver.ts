import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedMdn {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A local endpoint standing in for the sender's asynchronous MDN URL. */
export async function startMdnReceiver(): Promise<{ url: string; next(timeoutMs?: number): Promise<ReceivedMdn>; close(): Promise<void> }> {
  const received: ReceivedMdn[] = [];
  const waiting: Array<(mdn: ReceivedMdn) => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const mdn = { headers: req.headers, body: Buffer.concat(chunks) };
      const waiter = waiting.shift();
      if (waiter) waiter(mdn);
      else received.push(mdn);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mdn`,
    next: (timeoutMs = 10_000) => {
      const ready = received.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no asynchronous MDN within ${timeoutMs} ms`)), timeoutMs);
        waiting.push((mdn) => {
          clearTimeout(timer);
          resolve(mdn);
        });
      });
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
