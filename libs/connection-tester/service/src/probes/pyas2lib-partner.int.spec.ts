import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { As2Certificate, buildAs2Message, loadKeyPair } from '@as2-partners/as2';
import { createTestIdentity, installPyas2Peer, Pyas2Peer, type HeaderLines, type TestIdentity } from '@as2-partners/as2-testing';
import { parseAllowedAddressRanges, systemHostResolver } from '@as2-partners/platform';
import { runAs2ExchangeTest, type As2ExchangePlan } from './as2-exchange-test';
import type { ProbeSettings } from './endpoint-probe';
import { systemSocketFactory } from './socket-factory';

// A full test against pyas2lib (PyPI, an AS2 implementation written by others) as the partner: a loopback HTTP
// endpoint hands each request to pyas2lib, which decrypts, verifies, and answers with its signed synchronous MDN.
jest.setTimeout(600_000);

let dir: string;
let peer: Pyas2Peer;
let ours: TestIdentity;
let theirs: TestIdentity;
let server: Server;
let url: string;
const received: { status: string; error: string | null; mic: string | null }[] = [];
/** Whether pyas2lib, as the partner, insists on a signed message. */
let requireSigned = true;

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

beforeAll(async () => {
  await installPyas2Peer();
  dir = await mkdtemp(join(tmpdir(), 'connection-tester-pyas2-'));
  peer = await Pyas2Peer.create(dir);
  [ours, theirs] = await Promise.all([createTestIdentity(dir, 'MYCOMPANY'), createTestIdentity(dir, 'PYAS2PARTNER')]);
  server = createServer(async (req, res) => {
    const headers: HeaderLines = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    const result = await peer.receive(
      { headers, body: await readBody(req) },
      { as2Id: theirs.as2Id, keyFile: theirs.keyFile, certFile: theirs.certFile, partnerAs2Id: ours.as2Id, partnerCertFile: ours.certFile, requireSigned, requireEncrypted: true },
    );
    received.push({ status: result.status, error: result.error, mic: result.mic });
    if (!result.mdn) return void res.writeHead(200).end();
    res.writeHead(200, Object.fromEntries(result.mdn.headers)).end(result.mdn.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/as2`;
}, 600_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

const settings: ProbeSettings = { allowed: parseAllowedAddressRanges('127.0.0.0/8'), resolver: systemHostResolver, sockets: systemSocketFactory, maxResponseBytes: 1_048_576, now: () => new Date() };

const planOf = (): As2ExchangePlan => {
  const keyPair = loadKeyPair({ privateKey: ours.keyPem, certificate: ours.certPem });
  const partnerCertificate = As2Certificate.from(theirs.certPem);
  return {
    testType: 'full',
    testId: 'tst_pyas2',
    as2From: ours.as2Id,
    as2To: theirs.as2Id,
    ourEmail: 'as2@us.example.com',
    sign: { algorithm: 'sha256' },
    build: async ({ sign, ...options }) => buildAs2Message({ ...options, ...(sign ? { sign: { keyPair, algorithm: sign.algorithm } } : {}) }),
    encrypt: { certificate: partnerCertificate, algorithm: 'aes-256-cbc' },
    compress: true,
    partnerSignatureCertificates: [partnerCertificate],
    micAlgorithm: 'sha256',
    mdn: { signed: true, micAlgorithm: 'sha256' },
    asyncMdn: null,
    authorization: null,
    now: new Date(),
  };
};

beforeEach(() => {
  received.length = 0;
  requireSigned = true;
});

it('full: pyas2lib decrypts, verifies our signature, and its signed MDN returns our MIC', async () => {
  const outcome = await runAs2ExchangeTest({ url: new URL(url), timeoutMs: 120_000, pinnedTlsCertificate: null }, planOf(), settings);
  expect(outcome.timeline.filter((s) => s.status !== 'success')).toEqual([]);
  expect(outcome.results).toMatchObject({ as2_protocol: 'success', mic_match: true, certificate_validation: 'success', mdn_disposition: 'processed' });
  expect(received).toEqual([{ status: 'processed', error: null, mic: expect.any(String) }]);
  const mic = outcome.timeline.find((s) => s.step === 'MIC verification')!.details;
  expect(mic).toContain(received[0]!.mic!.split(',')[0]!.trim());
});

it('full, signing off: pyas2lib returns no MIC for an unsigned message, which passes with a warning, not a failure', async () => {
  requireSigned = false;
  const outcome = await runAs2ExchangeTest({ url: new URL(url), timeoutMs: 120_000, pinnedTlsCertificate: null }, { ...planOf(), sign: null }, settings);
  expect(received).toEqual([{ status: 'processed', error: null, mic: null }]);
  expect(outcome.results).toMatchObject({ as2_protocol: 'success', mic_match: null, certificate_validation: 'success', mdn_disposition: 'processed' });
  expect(outcome.timeline.filter((s) => s.status !== 'success').map((s) => [s.step, s.status])).toEqual([['MIC verification', 'warning']]);
});
