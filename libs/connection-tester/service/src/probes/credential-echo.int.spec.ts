import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runAs2ExchangeTest, unsignedMessageBuilder, type As2ExchangePlan } from './as2-exchange-test';
import { LOOPBACK_PROBE_SETTINGS } from './loopback-probe-settings.spec-support';

// A partner that reflects its request into the MDN it answers: the credential the test sent must not reach the result.
const PASSWORD = 'Refl3cted-Pa55';
const AUTHORIZATION = `Basic ${Buffer.from(`acme-user:${PASSWORD}`).toString('base64')}`;

const settings = LOOPBACK_PROBE_SETTINGS;

/** `/disposition` puts the decoded credential in the disposition, `/message-id` in the original message id, `/status` in a 500's reason phrase. */
function reflectingMdn(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on('end', () => {
    if (req.url === '/status') {
      res.writeHead(500, `Refused ${Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8')}`).end();
      return;
    }
    const echoed = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
    const originalId = req.url === '/message-id' ? `<${echoed}>` : String(req.headers['message-id']);
    const disposition = `automatic-action/MDN-sent-automatically; processed${req.url === '/disposition' ? `/error: ${echoed}` : ''}`;
    const report =
      '--b\r\nContent-Type: text/plain\r\n\r\nreceipt\r\n--b\r\nContent-Type: message/disposition-notification\r\n\r\n' +
      `Reporting-UA: echo\r\nFinal-Recipient: rfc822; THEM\r\nOriginal-Message-ID: ${originalId}\r\nDisposition: ${disposition}\r\n\r\n--b--\r\n`;
    res.writeHead(200, { 'content-type': 'multipart/report; report-type=disposition-notification; boundary="b"', 'as2-version': '1.2' }).end(report);
  });
}

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer(reflectingMdn);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

const plan: As2ExchangePlan = {
  testType: 'mdn',
  testId: 'tst_echo',
  as2From: 'US',
  as2To: 'THEM',
  ourEmail: null,
  sign: null,
  build: unsignedMessageBuilder,
  encrypt: null,
  compress: false,
  partnerSignatureCertificates: [],
  micAlgorithm: 'sha256',
  mdn: { signed: true, micAlgorithm: 'sha256' },
  asyncMdn: null,
  authorization: AUTHORIZATION,
  now: new Date(),
};

describe('an MDN that reflects the HTTP credential', () => {
  it.each([
    ['/disposition', 'MDN format'],
    ['/message-id', 'MDN format'],
    ['/status', 'AS2 message sent'],
  ])('%s: neither the results nor the timeline keep the password', async (path, step) => {
    const outcome = await runAs2ExchangeTest({ url: new URL(`${base}${path}`), timeoutMs: 10_000, pinnedTlsCertificate: null, authorization: AUTHORIZATION }, plan, settings);
    expect(outcome.timeline.map((s) => s.step)).toContain(step);
    expect(JSON.stringify(outcome)).toContain('[redacted]');
    expect(JSON.stringify(outcome)).not.toContain(PASSWORD);
  });
});
