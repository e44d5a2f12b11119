import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { As2Certificate, buildAs2Message, loadKeyPair, readMdn, type As2KeyPair, type OutgoingAs2Message } from '../index';
import { createTestIdentity, installPyas2Peer, Pyas2Peer, type HeaderLines, type TestIdentity } from '@as2-partners/as2-testing';

// The test AS2 partner as a user runs it (`npm run as2-test-partner -- …` runs exactly this command line),
// talked to by our library's client and by pyas2lib, an AS2 implementation written by others.
jest.setTimeout(120_000);

const workspaceRoot = resolve(__dirname, '..', '..', '..', '..');
const payload = Buffer.from("UNB+UNOC:3+SENDER:ZZ+PARTNER:ZZ+260101:1200+42'\r\nUNZ+0+42'\r\n");

interface PartnerProcess {
  url: string;
  /** JSON lines the partner printed, one per message after the first "listening" line. */
  lines: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

let dir: string;
let client: TestIdentity;
let partner: TestIdentity;
let clientKeys: As2KeyPair;
let partnerCertificate: As2Certificate;
let peer: Pyas2Peer;
const started: PartnerProcess[] = [];

beforeAll(async () => {
  await installPyas2Peer();
  dir = await mkdtemp(join(tmpdir(), 'as2-partner-cli-'));
  peer = await Pyas2Peer.create(dir);
  [client, partner] = await Promise.all([createTestIdentity(dir, 'CLIENT'), createTestIdentity(dir, 'TEST PARTNER')]);
  clientKeys = loadKeyPair({ privateKey: client.keyPem, certificate: client.certPem });
  partnerCertificate = As2Certificate.from(partner.certPem);
}, 600_000);

afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function startPartnerCli(extra: string[] = []): Promise<PartnerProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', '@swc-node/register', 'tools/as2-test-partner/main.ts',
      '--port', '0', '--as2-id', partner.as2Id, '--key', partner.keyFile, '--cert', partner.certFile,
      '--partner-as2-id', client.as2Id, '--partner-cert', client.certFile, ...extra],
    { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json' } },
  );
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const listening = new Promise<string>((ready, fail) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry['event'] === 'listening') ready(String(entry['url']));
      else lines.push(entry);
    });
    void exited.then(() => fail(new Error(`the test partner exited before listening: ${stderr}`)));
  });
  const running: PartnerProcess = {
    url: await listening,
    lines,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  started.push(running);
  return running;
}

async function post(url: string, headers: Readonly<Record<string, string>> | HeaderLines, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const response = await fetch(url, { method: 'POST', headers: Array.isArray(headers) ? headers : Object.entries(headers), body });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) };
}

function secured(options: { asyncUrl?: string } = {}): OutgoingAs2Message {
  return buildAs2Message({
    payload,
    fileName: 'invoice-42.edi',
    contentType: 'application/edifact',
    as2From: client.as2Id,
    as2To: partner.as2Id,
    sign: { keyPair: clientKeys, algorithm: 'sha256' },
    encrypt: { certificate: partnerCertificate, algorithm: 'aes-256-cbc' },
    compress: 'before-signing',
    mdn: { signed: { micAlgorithms: ['sha256'] }, asyncUrl: options.asyncUrl },
  });
}

describe('npm run as2-test-partner, with our library as the client', () => {
  it('completes a signed, encrypted, compressed exchange with a signed sync MDN, stores the payload and logs one JSON line', async () => {
    const inbox = join(dir, 'inbox-cli');
    const testPartner = await startPartnerCli(['--inbox', inbox]);
    const sent = secured();
    const answer = await post(testPartner.url, sent.headers, sent.body);

    const mdn = readMdn({ headers: answer.headers, body: answer.body, partnerCertificates: [partnerCertificate], expected: { messageId: sent.messageId, mic: sent.mic }, requireSignature: true });
    expect(mdn).toMatchObject({ status: 'delivered', signed: true, receivedMic: { value: sent.mic.value } });
    expect(await readFile(join(inbox, 'invoice-42.edi'))).toEqual(payload);
    await testPartner.stop();
    expect(testPartner.lines).toEqual([expect.objectContaining({ event: 'as2-message', messageId: sent.messageId, outcome: 'processed', mdn: 'sync', mdnSigned: true })]);
  });

  it('completes the same exchange with an asynchronous MDN posted to a local receiver', async () => {
    let deliver: (mdn: { headers: Record<string, string>; body: Buffer }) => void = () => undefined;
    const asyncMdn = new Promise<{ headers: Record<string, string>; body: Buffer }>((resolve) => (deliver = resolve));
    const receiver: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        res.writeHead(204).end();
        deliver({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
      });
    });
    await new Promise<void>((ready) => receiver.listen(0, '127.0.0.1', ready));
    try {
      const testPartner = await startPartnerCli();
      const sent = secured({ asyncUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/mdn` });
      const answer = await post(testPartner.url, sent.headers, sent.body);
      expect(answer.status).toBe(200);

      const received = await asyncMdn;
      const mdn = readMdn({ headers: received.headers, body: received.body, partnerCertificates: [partnerCertificate], expected: { messageId: sent.messageId, mic: sent.mic }, requireSignature: true });
      expect(mdn).toMatchObject({ status: 'delivered', signed: true });
    } finally {
      receiver.closeAllConnections();
      await new Promise<void>((done) => receiver.close(() => done()));
    }
  });
});

describe('npm run as2-test-partner, with pyas2lib as the sender', () => {
  it.each([
    ['signed, encrypted, compressed, signed MDN', { sign: 'sha256', encrypt: 'aes_256_cbc', compress: true, mdnSign: 'sha256' }],
    ['SHA-1 and 3DES, signed MDN', { sign: 'sha1', encrypt: 'tripledes_192_cbc', mdnSign: 'sha1' }],
    ['plain, unsigned MDN', {}],
  ] as const)('%s: the partner accepts it and pyas2lib verifies the MDN', async (_name, security) => {
    const inbox = join(dir, `inbox-pyas2-${started.length}-${Date.now()}`);
    const testPartner = await startPartnerCli(['--inbox', inbox]);
    const sent = await peer.build({
      as2From: client.as2Id, as2To: partner.as2Id, keyFile: client.keyFile, certFile: client.certFile,
      partnerCertFile: partner.certFile, payload, filename: 'from-pyas2.edi', ...security,
    });
    const answer = await post(testPartner.url, sent.headers, sent.body);
    expect(answer.status).toBe(200);

    const verdict = await peer.verifyMdn(sent, { headers: Object.entries(answer.headers), body: answer.body }, partner.certFile);
    expect(verdict).toMatchObject({ status: 'processed', detailedStatus: null, originalMessageId: sent.messageId, signed: 'mdnSign' in security });
    if ('sign' in security) expect(verdict).toMatchObject({ micEqual: true, receivedMic: sent.mic });
    expect(await readFile(join(inbox, 'from-pyas2.edi'))).toEqual(payload);
  });

  it('--fault wrong-mic: pyas2lib sees the MIC mismatch too', async () => {
    const testPartner = await startPartnerCli(['--fault', 'wrong-mic']);
    const sent = await peer.build({
      as2From: client.as2Id, as2To: partner.as2Id, keyFile: client.keyFile, certFile: client.certFile,
      partnerCertFile: partner.certFile, payload, sign: 'sha256', mdnSign: 'sha256',
    });
    const answer = await post(testPartner.url, sent.headers, sent.body);
    const verdict = await peer.verifyMdn(sent, { headers: Object.entries(answer.headers), body: answer.body }, partner.certFile);
    expect(verdict).toMatchObject({ status: 'processed/warning', detailedStatus: 'Message Integrity check failed.', micEqual: false, signed: true });
  });
});
