import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runAs2ExchangeTest, unsignedMessageBuilder, type As2ExchangePlan } from './as2-exchange-test';
import { LOOPBACK_PROBE_SETTINGS } from './loopback-probe-settings.spec-support';

// What a partner receives in the test message's headers: the MDN is asked of our instance's address, not a placeholder.
const settings = LOOPBACK_PROBE_SETTINGS;

const received: IncomingHttpHeaders[] = [];
let server: Server;
let url: URL;

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(200).end('not an MDN'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/as2`);
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

beforeEach(() => {
  received.length = 0;
});

const plan = (extra: Partial<As2ExchangePlan>): As2ExchangePlan => ({
  testType: 'mdn',
  testId: 'tst_headers',
  as2From: 'US',
  as2To: 'THEM',
  ourEmail: 'as2@us.example.com',
  sign: null,
  build: unsignedMessageBuilder,
  encrypt: null,
  compress: false,
  partnerSignatureCertificates: [],
  micAlgorithm: 'sha256',
  mdn: { signed: false, micAlgorithm: 'sha256' },
  asyncMdn: null,
  authorization: null,
  now: new Date(),
  ...extra,
});

const send = async (extra: Partial<As2ExchangePlan>) => {
  await runAs2ExchangeTest({ url, timeoutMs: 10_000, pinnedTlsCertificate: null, authorization: null }, plan(extra), settings);
  expect(received).toHaveLength(1);
  return received[0]!;
};

describe('the test message names our instance', () => {
  it("asks the MDN of our instance's my_email (Disposition-Notification-To) and gives it as From", async () => {
    const headers = await send({});
    expect([headers['disposition-notification-to'], headers['from'], headers['as2-from']]).toEqual(['as2@us.example.com', 'as2@us.example.com', 'US']);
    expect(headers['receipt-delivery-option']).toBeUndefined();
  });

  it('an async MDN: the address stays in Disposition-Notification-To, the receipt URL goes in Receipt-Delivery-Option', async () => {
    const receipt = 'https://tester.example/v1/connection-tests/mdn';
    const headers = await send({ asyncMdn: { url: receipt, expect: async () => undefined, wait: async () => null } });
    expect([headers['disposition-notification-to'], headers['receipt-delivery-option'], headers['from']]).toEqual(['as2@us.example.com', receipt, 'as2@us.example.com']);
  });

  it('no address known (an instance stored before the tester learned it): the placeholder, or the receipt URL, and no From', async () => {
    expect(await send({ ourEmail: null })).toMatchObject({ 'disposition-notification-to': 'as2@as2-partners.local' });
    expect(received[0]!['from']).toBeUndefined();
    received.length = 0;
    const receipt = 'https://tester.example/v1/connection-tests/mdn';
    expect(await send({ ourEmail: null, asyncMdn: { url: receipt, expect: async () => undefined, wait: async () => null } })).toMatchObject({ 'disposition-notification-to': receipt, 'receipt-delivery-option': receipt });
  });
});
