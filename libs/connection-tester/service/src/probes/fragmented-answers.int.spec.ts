import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { MAX_ANSWER_PIECES } from './endpoint-probe';
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
