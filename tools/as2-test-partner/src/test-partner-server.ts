import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { As2Certificate, loadKeyPair } from '@as2-partners/as2';
import { deliverAsyncMdn, type AsyncMdnDelivery } from './async-mdn-delivery';
import { exchangeAs2Message, type As2Exchange, type PartnerIdentity } from './as2-exchange';
import { describeFault, type Fault } from './fault';
import { writeToInbox } from './inbox';
import { BodyTooLargeError, readRequestBody } from './request-body';
import { defaultMaxBodyBytes, defaultPath, defaultRequestTimeoutMs, type TestPartnerOptions } from './test-partner-options';

export interface RunningTestPartner {
  /** The full URL AS2 messages are posted to, e.g. http://127.0.0.1:41234/as2 */
  readonly url: string;
  /** Stops listening, cuts open connections and waits for asynchronous MDNs still being delivered. */
  close(): Promise<void>;
}

/** The one JSON line logged per message. */
interface MessageLogLine {
  time: string;
  event: 'as2-message';
  httpStatus: number | 'dropped';
  messageId?: string;
  as2From?: string;
  as2To?: string;
  bytes: number;
  outcome: 'processed' | 'error' | 'rejected';
  errorCode?: string;
  error?: string;
  signed?: string;
  encrypted?: string;
  compressed?: string;
  mic?: string;
  file?: string;
  mdn?: 'sync' | 'async' | 'none';
  mdnSigned?: boolean;
  disposition?: string;
  asyncMdn?: AsyncMdnDelivery;
  faults?: string[];
  durationMs: number;
}

const closeGraceMs = 2_000;

function fault<K extends Fault['kind']>(faults: readonly Fault[], kind: K): Extract<Fault, { kind: K }> | undefined {
  return faults.find((f) => f.kind === kind) as Extract<Fault, { kind: K }> | undefined;
}

function describeExchange(exchange: As2Exchange): Partial<MessageLogLine> {
  const { envelope, message, error, mdn } = exchange;
  return {
    messageId: envelope?.messageId,
    as2From: envelope?.as2From,
    as2To: envelope?.as2To,
    outcome: error ? 'error' : 'processed',
    errorCode: error?.code,
    error: error?.message,
    signed: message?.signature?.algorithm,
    encrypted: message?.encryption?.algorithm,
    compressed: message?.compression,
    mic: message ? `${message.mic.value}, ${message.mic.algorithm}` : undefined,
    mdn: mdn ? (mdn.asyncUrl ? 'async' : 'sync') : 'none',
    mdnSigned: mdn?.signed,
    disposition: mdn?.disposition,
  };
}

/** Starts the test AS2 partner: receives AS2 messages for `as2Id` from `partnerAs2Id` and answers with MDNs. */
export async function startTestPartner(options: TestPartnerOptions): Promise<RunningTestPartner> {
  const identity: PartnerIdentity = {
    as2Id: options.as2Id,
    keyPair: loadKeyPair({ privateKey: options.keyPem, certificate: options.certPem }),
    partnerAs2Id: options.partnerAs2Id,
    partnerCertificate: As2Certificate.from(options.partnerCertPem),
  };
  const path = options.path ?? defaultPath;
  const faults = options.faults ?? [];
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const requestTimeoutMs = options.requestTimeoutMs ?? defaultRequestTimeoutMs;
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const shutdown = new AbortController();
  const deliveriesCancelled = new AbortController();
  const pendingDeliveries = new Set<Promise<unknown>>();

  const writeLog = (started: number, bytes: number, fields: Partial<MessageLogLine>): void => {
    const line: MessageLogLine = {
      time: new Date().toISOString(),
      event: 'as2-message',
      httpStatus: 200,
      bytes,
      outcome: 'processed',
      ...fields,
      faults: faults.length > 0 ? faults.map(describeFault) : undefined,
      durationMs: Date.now() - started,
    };
    log(JSON.stringify(line));
  };

  const answerText = (response: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void => {
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...extra });
    response.end(text + '\n');
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = Date.now();
    const requestPath = new URL(request.url ?? '/', 'http://partner.invalid').pathname;
    if (requestPath !== path) return answerText(response, 404, `No AS2 endpoint at ${requestPath}; post AS2 messages to ${path}.`);
    if (request.method !== 'POST') return answerText(response, 405, 'AS2 messages are sent with POST.', { Allow: 'POST' });

    let body: Buffer;
    try {
      body = await readRequestBody(request, maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) {
        // The client went away or hit the request timeout (Node has already answered 408 in that case).
        writeLog(started, 0, { httpStatus: 'dropped', outcome: 'rejected', error: `request body not received: ${(error as Error).message}` });
        response.destroy();
        return;
      }
      writeLog(started, Number(request.headers['content-length']) || 0, { httpStatus: 413, outcome: 'rejected', errorCode: 'SIZE_LIMIT_EXCEEDED', error: error.message });
      answerText(response, 413, error.message, { Connection: 'close' });
      request.resume();
      return;
    }

    if (fault(faults, 'drop')) {
      writeLog(started, body.length, { httpStatus: 'dropped', outcome: 'rejected', error: 'fault drop: connection closed without an answer' });
      request.socket.destroy();
      return;
    }
    if (fault(faults, 'http-500')) {
      writeLog(started, body.length, { httpStatus: 500, outcome: 'rejected', error: 'fault http-500' });
      return answerText(response, 500, 'Injected fault: internal server error.');
    }

    const exchange = exchangeAs2Message(identity, request.headers, body, faults, maxBodyBytes);
    const fields = describeExchange(exchange);
    if (!exchange.envelope) {
      writeLog(started, body.length, { ...fields, httpStatus: 400, outcome: 'rejected' });
      return answerText(response, 400, `Not an AS2 message: ${exchange.error?.message ?? 'AS2 headers missing'}`);
    }
    if (exchange.message && options.inboxDir) {
      fields.file = await writeToInbox(options.inboxDir, exchange.message.payload, exchange.message.fileName, exchange.envelope.messageId);
    }

    const slow = fault(faults, 'slow');
    if (slow) await sleep(slow.delayMs, undefined, { signal: shutdown.signal }).catch(() => undefined);

    const mdn = exchange.mdn;
    if (mdn && !mdn.asyncUrl) {
      response.writeHead(200, mdn.headers);
      response.end(mdn.body);
      writeLog(started, body.length, fields);
      return;
    }
    answerText(response, 200, mdn ? 'Received; the MDN follows asynchronously.' : 'Received; no MDN was requested.');
    if (!mdn?.asyncUrl) return writeLog(started, body.length, fields);
    const delivery = deliverAsyncMdn(mdn.asyncUrl, mdn.headers, mdn.body, deliveriesCancelled.signal).then((asyncMdn) => writeLog(started, body.length, { ...fields, asyncMdn }));
    pendingDeliveries.add(delivery);
    void delivery.finally(() => pendingDeliveries.delete(delivery));
  };

  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    handle(request, response).catch((error: unknown) => {
      // Last line of defence: a bug here answers 500 and is logged; the server keeps serving.
      log(JSON.stringify({ time: new Date().toISOString(), event: 'as2-internal-error', error: (error as Error).message }));
      if (!response.headersSent) answerText(response, 500, 'The test partner failed to process the request.');
      else response.destroy();
    });
  };

  // Node checks request deadlines every connectionsCheckingInterval (30 s by default), too coarse for short timeouts.
  const serverOptions = {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(requestTimeoutMs, 30_000),
    connectionsCheckingInterval: Math.max(50, Math.min(Math.floor(requestTimeoutMs / 4), 30_000)),
    keepAliveTimeout: 5_000,
  };
  const server: Server = options.tls
    ? createHttpsServer({ ...serverOptions, key: options.tls.keyPem, cert: options.tls.certPem }, listener)
    : createHttpServer(serverOptions, listener);
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${address.port}${path}`,
    close: async () => {
      shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      // MDNs already on their way get a short grace period to land before they are cut off.
      const grace = sleep(closeGraceMs, undefined, { ref: false });
      await Promise.race([Promise.allSettled([...pendingDeliveries]), grace]);
      deliveriesCancelled.abort();
      await Promise.allSettled([...pendingDeliveries]);
      await closed;
    },
  };
}
