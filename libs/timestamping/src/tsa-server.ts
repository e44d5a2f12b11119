import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { TimestampAuthority } from './timestamp-authority';

export interface RunningTsa {
  readonly url: string;
  close(): Promise<void>;
}

export interface TsaServerOptions {
  readonly authority: TimestampAuthority;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
}

const maxRequestBytes = 64 * 1024;

function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}, body?: Buffer | string): void {
  res.writeHead(status, body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxRequestBytes) {
        resolve(undefined);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function handle(authority: TimestampAuthority, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return answer(res, 405, { allow: 'POST', 'content-type': 'text/plain' }, 'POST a TimeStampReq\n');
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/timestamp-query') {
    return answer(res, 415, { 'content-type': 'text/plain' }, 'expected Content-Type application/timestamp-query\n');
  }
  if (Number(req.headers['content-length'] ?? 0) > maxRequestBytes) {
    return answer(res, 413, { 'content-type': 'text/plain', connection: 'close' }, `a TimeStampReq is at most ${maxRequestBytes} bytes\n`);
  }
  const body = await readBody(req);
  if (!body) return answer(res, 413, { 'content-type': 'text/plain', connection: 'close' }, `a TimeStampReq is at most ${maxRequestBytes} bytes\n`);
  answer(res, 200, { 'content-type': 'application/timestamp-reply' }, authority.respond(body));
}

/** HTTP: POST application/timestamp-query → 200 application/timestamp-reply; other methods/types → 405/415; body cap 64 KiB. */
export function startTsaServer(options: TsaServerOptions): Promise<RunningTsa> {
  const server = createServer((req, res) => {
    handle(options.authority, req, res).catch(() => {
      if (!res.headersSent) answer(res, 500, { 'content-type': 'text/plain' }, 'internal error\n');
      else res.destroy();
    });
  });
  server.requestTimeout = 10_000;
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      const { port } = server.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${urlHost}:${port}/`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
