import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  elapsedMs: number;
}

/** POSTs raw bytes and collects the raw answer; `ca` trusts a test TLS certificate; rejects on timeout or a dropped connection. */
export function postMessage(url: string, headers: Record<string, string> | Array<[string, string]>, body: Buffer, options: { ca?: string; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  const started = Date.now();
  const headerList = Array.isArray(headers) ? headers : Object.entries(headers);
  const sentHeaders: Record<string, string> = {};
  for (const [name, value] of headerList) {
    if (name.toLowerCase() !== 'content-length') sentHeaders[name] = value;
  }
  sentHeaders['Content-Length'] = String(body.length);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: 'POST', headers: sentHeaders, ca: options.ca, timeout: options.timeoutMs ?? 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), elapsedMs: Date.now() - started }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
