import { X509Certificate } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type TLSSocket } from 'node:tls';
import {
  DESTINATION_REFUSAL_RULE,
  resolveOutboundDestination,
  type AllowedAddressRange,
  type HostResolver,
  type PermittedDestination,
  toApiTimestamp,
} from '@as2-partners/platform';
import { ProbeTimeline, stepStart } from './probe-timeline';
import type { SocketFactory } from './socket-factory';
import { withoutCredentialEcho } from './credential-echo';
import { oneLine } from './one-line-name';
import { pinnedIssuerRefusal } from './pinned-issuer';

const DAY_MS = 86_400_000;
/** Seed 002's SSL step warns when the partner's certificate expires within this many days. */
export const TLS_EXPIRY_WARNING_DAYS = 30;

export interface ProbeSettings {
  readonly allowed: readonly AllowedAddressRange[];
  readonly resolver: HostResolver;
  readonly sockets: SocketFactory;
  /** Largest response body read; more closes the connection (a hostile endpoint cannot fill our memory). */
  readonly maxResponseBytes: number;
  readonly now: () => Date;
  /** Called for a refused destination with the range it fell into: the operator's log, never the answer. */
  readonly onRefused?: (host: string, range: string) => void;
}

export interface EndpointTarget {
  readonly url: URL;
  readonly timeoutMs: number;
  /** PEM of the partner's TLS-slot certificate: trusted instead of the system store (pinning). */
  readonly pinnedTlsCertificate: string | null;
  /** `Basic …` when the partner wants HTTP authentication: sent with the HTTP request, never recorded. */
  readonly authorization?: string | null;
}

/** What the TLS handshake showed, for the results. */
export interface TlsFacts {
  readonly protocol: string;
  readonly cipher: string;
  readonly validated: boolean;
}

/** A connection to a checked address, TLS established (and validated) when the URL is https. */
export interface OpenEndpoint {
  readonly socket: Socket;
  readonly destination: PermittedDestination;
  readonly deadline: number;
  readonly tls: TlsFacts | null;
  /** The first steps' outcome for the results: refused, unresolved, unreachable or insecure endpoints end earlier. */
}

/** Why the endpoint could not be opened, in seed 002's `results` words. */
export type EndpointFailure = { readonly stage: 'destination' | 'dns' | 'tcp' | 'tls' | 'certificate'; readonly error: string };

class Deadline {
  constructor(readonly at: number) {}
  remaining(): number {
    return Math.max(0, this.at - Date.now());
  }
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} seconds` : `${s.toFixed(1)} seconds`;
}

function hostPort(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

function connectTcp(sockets: SocketFactory, address: string, port: number, ms: number): Promise<Socket> {
  return readyWithin(() => sockets.connect(address, port), 'connect', ms);
}

function tlsHandshake(socket: Socket, servername: string | undefined, ms: number): Promise<TLSSocket> {
  // Trust is decided after the handshake (system store or the pinned certificate), so the step can say why.
  return readyWithin(() => tlsConnect({ socket, servername, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }), 'secureConnect', ms);
}

/** The socket `open` makes, once it emits `ready`; destroyed and refused on an error or after `ms` (code ETIMEDOUT). */
function readyWithin<T extends Socket>(open: () => T, ready: 'connect' | 'secureConnect', ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = open();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    }, ms);
    socket.once(ready, () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

function tcpFailure(error: NodeJS.ErrnoException, where: string, timeoutMs: number): string {
  switch (error.code) {
    case 'ETIMEDOUT':
      return `Connection timeout after ${seconds(timeoutMs)} (${where})`;
    case 'ECONNREFUSED':
      return `Connection refused by ${where}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `No route to ${where}`;
    default:
      return `Could not connect to ${where} (${error.code ?? error.message})`;
  }
}

/**
 * The first steps of every test: `DNS resolution` (every address checked by the outbound policy), `TCP connection` to
 * that exact address, then for https `SSL handshake` (SNI = the URL's host) and `Certificate validation` (system trust
 * store, or the partner's pinned TLS certificate). Returns the open connection, or the failure after recording it.
 */
export async function openEndpoint(target: EndpointTarget, settings: ProbeSettings, timeline: ProbeTimeline): Promise<OpenEndpoint | EndpointFailure> {
  const deadline = new Deadline(Date.now() + target.timeoutMs);
  let started = stepStart();
  const destination = await resolveOutboundDestination(target.url, settings.allowed, settings.resolver);
  if (destination.kind === 'refused') {
    settings.onRefused?.(destination.host, destination.range);
    timeline.record('Destination not allowed', 'failure', started, `Refused by the outbound address policy: ${DESTINATION_REFUSAL_RULE}`);
    return { stage: 'destination', error: 'Destination not allowed' };
  }
  if (destination.kind === 'unresolved') {
    timeline.record('DNS resolution', 'failure', started, `Could not resolve ${destination.host} (${destination.code})`);
    return { stage: 'dns', error: `DNS resolution failed (${destination.code})` };
  }
  timeline.record(
    'DNS resolution',
    'success',
    started,
    destination.resolvedName ? `Resolved ${destination.host} to ${destination.addresses.join(', ')}` : `${destination.host} is an address: nothing to resolve`,
  );

  started = stepStart();
  let socket: Socket | undefined;
  let lastError: NodeJS.ErrnoException | undefined;
  let tried = '';
  for (const address of destination.addresses) {
    tried = hostPort(address, destination.port);
    try {
      socket = await connectTcp(settings.sockets, address, destination.port, deadline.remaining());
      break;
    } catch (error) {
      lastError = error as NodeJS.ErrnoException;
      if (deadline.remaining() === 0) break;
    }
  }
  if (!socket) {
    const details = tcpFailure(lastError ?? {name: 'Error', message: 'no address'}, tried, target.timeoutMs);
    timeline.record('TCP connection', 'failure', started, details);
    return { stage: 'tcp', error: lastError?.code === 'ETIMEDOUT' ? 'Connection timeout' : details };
  }
  // Errors after this point surface through the request that uses the socket.
  socket.on('error', () => undefined);
  timeline.record('TCP connection', 'success', started, `Connected to ${tried}`);
  if (!destination.tls) return { socket, destination, deadline: deadline.at, tls: null };

  started = stepStart();
  let secure: TLSSocket;
  try {
    secure = await tlsHandshake(socket, isIP(destination.host) ? undefined : destination.host, deadline.remaining());
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const details = e.code === 'ETIMEDOUT' ? `TLS handshake timeout after ${seconds(target.timeoutMs)}` : `TLS handshake failed: ${e.message}`;
    timeline.record('SSL handshake', 'failure', started, details);
    socket.destroy();
    return { stage: 'tls', error: details };
  }
  secure.on('error', () => undefined);
  const peer = secure.getPeerX509Certificate();
  const protocol = (secure.getProtocol() ?? 'TLS').replace('TLSv', 'TLS ');
  const cipher = secure.getCipher().name;
  if (!peer) {
    timeline.record('SSL handshake', 'failure', started, `${protocol} connection established (${cipher}) but the server sent no certificate`);
    secure.destroy();
    return { stage: 'tls', error: 'No server certificate' };
  }
  const now = settings.now().getTime();
  const expires = new Date(peer.validTo);
  const daysLeft = Math.floor((expires.getTime() - now) / DAY_MS);
  const described = `${protocol} connection established (${cipher}); server certificate ${oneLine(peer.subject)}, issued by ${oneLine(peer.issuer)}, expires ${toApiTimestamp(expires.toISOString())}`;
  if (expires.getTime() <= now) timeline.record('SSL handshake', 'warning', started, `${described}: already expired`);
  else if (daysLeft < TLS_EXPIRY_WARNING_DAYS) timeline.record('SSL handshake', 'warning', started, `${described}: expires in ${daysLeft} days`);
  else timeline.record('SSL handshake', 'success', started, described);

  started = stepStart();
  const verdict = validateCertificate(secure, peer, destination.host, target.pinnedTlsCertificate, now);
  timeline.record('Certificate validation', verdict.ok ? 'success' : 'failure', started, verdict.details);
  if (!verdict.ok) {
    secure.destroy();
    return { stage: 'certificate', error: verdict.details };
  }
  return { socket: secure, destination, deadline: deadline.at, tls: { protocol, cipher, validated: true } };
}

function hostMatches(peer: X509Certificate, host: string): boolean {
  return isIP(host) ? peer.checkIP(host) !== undefined : peer.checkHost(host) !== undefined;
}

function validateCertificate(secure: TLSSocket, peer: X509Certificate, host: string, pinnedPem: string | null, now: number): { ok: boolean; details: string } {
  if (Date.parse(peer.validTo) <= now) return { ok: false, details: `Untrusted TLS certificate: it expired on ${new Date(peer.validTo).toISOString()}` };
  if (Date.parse(peer.validFrom) > now) return { ok: false, details: `Untrusted TLS certificate: it is not valid before ${new Date(peer.validFrom).toISOString()}` };
  if (pinnedPem !== null) {
    const pinned = new X509Certificate(pinnedPem);
    // A pinned leaf proves the endpoint by its key alone (self-signed AS2 endpoints rarely name their host).
    if (peer.fingerprint256 === pinned.fingerprint256) return { ok: true, details: `The server presented the partner's pinned TLS certificate (SHA-256 ${pinned.fingerprint256})` };
    if (peer.checkIssued(pinned) && peer.verify(pinned.publicKey)) {
      const refusal = pinnedIssuerRefusal(pinned, now);
      if (refusal !== null) return { ok: false, details: `Untrusted TLS certificate: it is issued by ${refusal}` };
      if (!hostMatches(peer, host)) return { ok: false, details: `Host name mismatch: the certificate (${oneLine(peer.subject)}) is not valid for ${host}` };
      return { ok: true, details: `Issued by the partner's pinned TLS certificate ${oneLine(pinned.subject)} and valid for ${host}` };
    }
    return { ok: false, details: `Untrusted TLS certificate: the server's certificate (SHA-256 ${peer.fingerprint256}) is neither the partner's pinned TLS certificate (SHA-256 ${pinned.fingerprint256}) nor issued by it` };
  }
  if (!secure.authorized) return { ok: false, details: `Untrusted TLS certificate: ${secure.authorizationError?.toString() ?? 'not trusted by the system trust store'} (upload the partner's certificate to its TLS slot to pin it)` };
  const mismatch = checkServerIdentity(host, secure.getPeerCertificate());
  if (mismatch) return { ok: false, details: `Host name mismatch: ${mismatch.message}` };
  return { ok: true, details: `Trusted by the system trust store and valid for ${host}` };
}

export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export type HttpExchangeFailure = { readonly failure: 'timeout' | 'closed' | 'too_large' | 'error'; readonly details: string };

/** The Host header: the URL's host (bracketed for IPv6) and a non-default port. */
function hostHeader(destination: PermittedDestination): string {
  const host = isIP(destination.host) === 6 ? `[${destination.host}]` : destination.host;
  const defaultPort = destination.tls ? 443 : 80;
  return destination.port === defaultPort ? host : `${host}:${destination.port}`;
}

/**
 * The most pieces (chunks of a chunked answer, reads of the socket) an answer may come in: each costs the event loop a
 * turn of Node's parser and a buffer whatever its size, so a partner answering its 1 MiB one byte a chunk (~6 MB on the
 * wire) would hold the loop for seconds and take hundreds of MB. Real answers come in pieces of kilobytes (1 MiB in
 * pieces of 64 bytes is this many).
 */
export const MAX_ANSWER_PIECES = 16_384;

/**
 * The most informational answers (1xx: 100 Continue, 102 Processing, 103 Early Hints) a request may get before its
 * final one: a partner sending them without end (no size cap counts them: none is the answer) kept Node's parser, and a
 * core, busy until the test's deadline, up to two minutes. A server sends one or a few.
 */
export const MAX_INFORMATIONAL_ANSWERS = 64;

/**
 * One HTTP request over the open connection: no agent (so no proxy variable and no second lookup), no redirect
 * followed, at most MAX_INFORMATIONAL_ANSWERS 1xx answers before the answer, its body read up to `maxBytes` in up to MAX_ANSWER_PIECES
 * pieces and everything bounded by the endpoint's deadline.
 */
export function httpExchange(
  endpoint: OpenEndpoint,
  request: { readonly method: string; readonly path: string; readonly headers: Readonly<Record<string, string>>; readonly body?: Buffer },
  maxBytes: number,
  timeoutMs: number,
): Promise<HttpAnswer | HttpExchangeFailure> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (value: HttpAnswer | HttpExchangeFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      endpoint.socket.destroy();
      resolve(value);
    };
    const req = httpRequest({
      method: request.method,
      path: request.path,
      setHost: false,
      headers: { ...request.headers, Host: hostHeader(endpoint.destination), Connection: 'close' },
      createConnection: () => endpoint.socket,
    });
    const timer = setTimeout(
      () => finish({ failure: 'timeout', details: `No answer within ${seconds(timeoutMs)}` }),
      Math.max(0, endpoint.deadline - Date.now()),
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish(
        error.code === 'ECONNRESET' || error.message === 'socket hang up'
          ? { failure: 'closed', details: 'The partner closed the connection without answering' }
          : { failure: 'error', details: `The request failed: ${error.message}` },
      ),
    );
    let informational = 0;
    req.on('information', () => {
      informational += 1;
      if (informational > MAX_INFORMATIONAL_ANSWERS) finish({ failure: 'too_large', details: `The partner sent more than ${MAX_INFORMATIONAL_ANSWERS} informational (1xx) answers before its answer; the connection was closed` });
    });
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) finish({ failure: 'too_large', details: `The response is larger than ${maxBytes} bytes; the connection was closed` });
        else if (chunks.length === MAX_ANSWER_PIECES) finish({ failure: 'too_large', details: `The response came in more than ${MAX_ANSWER_PIECES} pieces; the connection was closed` });
        else chunks.push(chunk);
      });
      response.on('end', () =>
        finish({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', () => finish({ failure: 'closed', details: 'The partner closed the connection in the middle of its answer' }));
      response.on('aborted', () => finish({ failure: 'closed', details: 'The partner closed the connection in the middle of its answer' }));
    });
    req.end(request.body);
  });
}

export function isHttpAnswer(value: HttpAnswer | HttpExchangeFailure): value is HttpAnswer {
  return 'status' in value;
}

/**
 * What the partner's server says about itself (seed 002's results record it: CEM, multiple attachments…), without the
 * credential the test sent should the server echo it (`authorization`).
 */
export function serverFacts(headers: IncomingHttpHeaders, authorization?: string | null): Record<string, string | null> {
  const one = (name: string) => {
    const value = headers[name];
    const text = Array.isArray(value) ? value.join(', ') : (value ?? null);
    return text === null ? null : withoutCredentialEcho(text, authorization);
  };
  return { server: one('server'), as2_version: one('as2-version'), ediint_features: one('ediint-features') };
}
