import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { NO_SNIFFING } from './no-sniffing';

/**
 * An answer the HTTP server gives before any route (a head it refuses, a closing server, an expectation it cannot
 * meet): `body`, the house error shape as JSON, with its type, length and nosniff, then `extra` headers. Returns `status`.
 */
export function writeEarlyRefusal(response: ServerResponse, status: number, body: string, extra: OutgoingHttpHeaders = {}): number {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), [NO_SNIFFING[0]]: NO_SNIFFING[1], ...extra });
  response.end(body);
  return status;
}
