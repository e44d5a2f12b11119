import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { createTestIdentity, type TestIdentity } from '@as2-partners/as2-testing';
import { MAX_ANSWER_PIECES, MAX_INFORMATIONAL_ANSWERS } from './endpoint-probe';
import { runPingTest } from './ping-test';
import { LOOPBACK_PROBE_SETTINGS } from './loopback-probe-settings.spec-support';

// A partner's answer within the size cap but cut in tiny chunks: every piece costs a turn of Node's parser and a buffer,
// so the pieces are capped too (a real peer over loopback: the cost is Node's own).
const settings = LOOPBACK_PROBE_SETTINGS;

/** A server answering every request with `pieces` chunks of `pieceBytes` bytes each, written at once. */
async function chunkedServer(pieces: number, pieceBytes: number): Promise<{ server: Server; url: string }> {
  const piece = `${pieceBytes.toString(16)}\r\n${'a'.repeat(pieceBytes)}\r\n`;
  const answer = Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${piece.repeat(pieces)}0\r\n\r\n`);
  const server = createServer((socket: Socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/as2` };
}

/**
 * A TLS partner answering every request with informational answers (102 Processing): `count` of them, then 200 with a
 * small body; or (`count` null) without end, a hundred every millisecond until the connection is closed.
 */
async function processingServer(identity: TestIdentity, count: number | null): Promise<{ server: TlsServer; url: string }> {
  const server = createTlsServer({ key: identity.keyPem, cert: identity.certPem }, (socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      if (count !== null) return socket.end(`${'HTTP/1.1 102 Processing\r\n\r\n'.repeat(count)}HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`);
      const flood = setInterval(() => (socket.destroyed ? clearInterval(flood) : socket.write('HTTP/1.1 102 Processing\r\n\r\n'.repeat(100))), 1);
      socket.once('close', () => clearInterval(flood));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/as2` };
}

describe('a partner answering with informational (1xx) answers', () => {
  let dir: string;
  let identity: TestIdentity;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'connection-tester-1xx-'));
    identity = await createTestIdentity(dir, 'partner-tls', { subjectAltName: 'IP:127.0.0.1' });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is refused past MAX_INFORMATIONAL_ANSWERS at once, not parsed for as long as the partner sends them (a core busy until the deadline)', async () => {
    const { server, url } = await processingServer(identity, null);
    try {
      const outcome = await runPingTest({ url: new URL(url), timeoutMs: 5_000, pinnedTlsCertificate: identity.certPem }, settings);
      expect(outcome.timeline.find((step) => step.step === 'HTTP response')).toMatchObject({
        status: 'failure',
        details: `The partner sent more than ${MAX_INFORMATIONAL_ANSWERS} informational (1xx) answers before its answer; the connection was closed`,
      });
    } finally {
      server.close();
    }
  });

  it('takes an answer after a few of them', async () => {
    const { server, url } = await processingServer(identity, 3);
    try {
      const outcome = await runPingTest({ url: new URL(url), timeoutMs: 20_000, pinnedTlsCertificate: identity.certPem }, settings);
      expect(outcome.results).toMatchObject({ connectivity: 'success', http_status: 200 });
    } finally {
      server.close();
    }
  });
});

describe('a partner answer cut in many pieces', () => {
  it('is refused past MAX_ANSWER_PIECES pieces, though within the size cap, and the connection closed', async () => {
    const { server, url } = await chunkedServer(200_000, 1);
    try {
      const outcome = await runPingTest({ url: new URL(url), timeoutMs: 20_000, pinnedTlsCertificate: null }, settings);
      expect(outcome.timeline.find((step) => step.step === 'HTTP response')).toMatchObject({
        status: 'failure',
        details: `The response came in more than ${MAX_ANSWER_PIECES} pieces; the connection was closed`,
      });
    } finally {
      server.close();
    }
  });

  it('takes an answer of ordinary pieces', async () => {
    const { server, url } = await chunkedServer(64, 1024);
    try {
      const outcome = await runPingTest({ url: new URL(url), timeoutMs: 20_000, pinnedTlsCertificate: null }, settings);
      expect(outcome.results).toMatchObject({ connectivity: 'success', http_status: 200 });
    } finally {
      server.close();
    }
  });
});
