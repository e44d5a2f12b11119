import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { As2Certificate, buildAs2Message, loadKeyPair, peekMdnOriginalMessageId, readMdn, type As2KeyPair, type BuildAs2MessageOptions } from '@as2-partners/as2';
import { parseFault } from './fault';
import { startTestPartner, type RunningTestPartner } from './test-partner-server';
import type { TestPartnerOptions } from './test-partner-options';
import { postMessage } from './testing/post-message';
import { startMdnReceiver } from './testing/mdn-receiver';
import { createTestIdentity, type TestIdentity } from '@as2-partners/as2-testing';

jest.setTimeout(60_000);

const payload = Buffer.from('ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*U*00401*000000001*0*T*>~\r\nIEA*1*000000001~\r\n');

let dir: string;
let client: TestIdentity;
let partner: TestIdentity;
let clientKeys: As2KeyPair;
let partnerCertificate: As2Certificate;
const running: RunningTestPartner[] = [];
let logLines: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'as2-test-partner-'));
  [client, partner] = await Promise.all([createTestIdentity(dir, 'CLIENT CO'), createTestIdentity(dir, 'TESTPARTNER')]);
  clientKeys = loadKeyPair({ privateKey: client.keyPem, certificate: client.certPem });
  partnerCertificate = As2Certificate.from(partner.certPem);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.close()));
  logLines = [];
});

afterAll(() => rm(dir, { recursive: true, force: true }));

async function start(overrides: Partial<TestPartnerOptions> = {}): Promise<RunningTestPartner> {
  const started = await startTestPartner({
    as2Id: partner.as2Id,
    keyPem: partner.keyPem,
    certPem: partner.certPem,
    partnerAs2Id: client.as2Id,
    partnerCertPem: client.certPem,
    log: (line) => logLines.push(line),
    ...overrides,
  });
  running.push(started);
  return started;
}

function fullySecured(overrides: Partial<BuildAs2MessageOptions> = {}): ReturnType<typeof buildAs2Message> {
  return buildAs2Message({
    payload,
    fileName: 'order-42.x12',
    contentType: 'application/edi-x12',
    as2From: client.as2Id,
    as2To: partner.as2Id,
    sign: { keyPair: clientKeys, algorithm: 'sha256' },
    encrypt: { certificate: partnerCertificate, algorithm: 'aes-256-cbc' },
    compress: 'before-signing',
    mdn: { signed: { micAlgorithms: ['sha256'] } },
    ...overrides,
  });
}

function readAnswer(sent: ReturnType<typeof buildAs2Message>, answer: { headers: Record<string, unknown>; body: Buffer }) {
  return readMdn({
    headers: answer.headers as Record<string, string>,
    body: answer.body,
    partnerCertificates: [partnerCertificate],
    expected: { messageId: sent.messageId, mic: sent.mic },
    requireSignature: true,
  });
}

function loggedMessages(): Array<Record<string, unknown>> {
  return logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry['event'] === 'as2-message');
}

describe('test AS2 partner, with our library as the client', () => {
  it('receives a signed, encrypted, compressed message, stores it and answers with a signed sync MDN whose MIC matches', async () => {
    const inboxDir = join(dir, 'inbox-sync');
    const testPartner = await start({ inboxDir });
    const sent = fullySecured();
    const answer = await postMessage(testPartner.url, sent.headers, sent.body);

    expect(answer.status).toBe(200);
    const mdn = readAnswer(sent, answer);
    expect(mdn).toMatchObject({ status: 'delivered', signed: true, receivedMic: { value: sent.mic.value, algorithm: 'sha256' } });
    expect(await readFile(join(inboxDir, 'order-42.x12'))).toEqual(payload);
    expect(loggedMessages()).toEqual([
      expect.objectContaining({ messageId: sent.messageId, outcome: 'processed', httpStatus: 200, signed: 'sha256', encrypted: 'aes-256-cbc', compressed: 'before-signing', mdn: 'sync', mdnSigned: true, file: join(inboxDir, 'order-42.x12') }),
    ]);
  });

  it('sends the MDN asynchronously to the Receipt-Delivery-Option URL when asked', async () => {
    const receiver = await startMdnReceiver();
    try {
      const testPartner = await start();
      const sent = fullySecured({ compress: 'after-signing', mdn: { signed: { micAlgorithms: ['sha512'] }, asyncUrl: receiver.url } });
      const answer = await postMessage(testPartner.url, sent.headers, sent.body);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^text\/plain/);

      const asyncMdn = await receiver.next();
      expect(peekMdnOriginalMessageId(asyncMdn.headers as Record<string, string>, asyncMdn.body)).toBe(sent.messageId);
      // Signed with SHA-256: the MIC keeps the signature's digest (RFC 4130 §7.4.3); SHA-512 only signs the MDN.
      expect(readAnswer(sent, asyncMdn)).toMatchObject({ status: 'delivered', signed: true, receivedMic: { value: sent.mic.value, algorithm: 'sha256' } });
      await testPartner.close();
      expect(loggedMessages()).toEqual([expect.objectContaining({ mdn: 'async', asyncMdn: { url: receiver.url, httpStatus: 200 } })]);
    } finally {
      await receiver.close();
    }
  });

  it('serves HTTPS with --tls-key/--tls-cert', async () => {
    const tls = await createTestIdentity(dir, 'localhost-tls', { subjectAltName: 'IP:127.0.0.1,DNS:localhost' });
    const testPartner = await start({ tls: { keyPem: tls.keyPem, certPem: tls.certPem } });
    expect(testPartner.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/as2$/);
    const sent = fullySecured();
    const answer = await postMessage(testPartner.url, sent.headers, sent.body, { ca: tls.certPem });
    expect(readAnswer(sent, answer).status).toBe('delivered');
  });

  it('answers a plain, unsigned message with an unsigned MDN when no signature was asked for', async () => {
    const testPartner = await start();
    const sent = buildAs2Message({ payload, as2From: client.as2Id, as2To: partner.as2Id, mdn: {} });
    const answer = await postMessage(testPartner.url, sent.headers, sent.body);
    const mdn = readMdn({ headers: answer.headers as Record<string, string>, body: answer.body, expected: { messageId: sent.messageId, mic: sent.mic } });
    expect(mdn).toMatchObject({ status: 'delivered', signed: false });
  });
});

describe('test AS2 partner faults', () => {
  it('wrong-mic: the signed MDN carries a MIC that does not match, and the client reports it', async () => {
    const testPartner = await start({ faults: [parseFault('wrong-mic')] });
    const sent = fullySecured();
    const mdn = readAnswer(sent, await postMessage(testPartner.url, sent.headers, sent.body));
    expect(mdn.status).toBe('mic-mismatch');
    expect(mdn.signed).toBe(true);
    expect(mdn.receivedMic?.value).not.toBe(sent.mic.value);
  });

  it('unsigned-mdn: a signed receipt was asked for, an unsigned one comes back and is refused as insufficient security', async () => {
    const testPartner = await start({ faults: [parseFault('unsigned-mdn')] });
    const sent = fullySecured();
    const mdn = readAnswer(sent, await postMessage(testPartner.url, sent.headers, sent.body));
    expect(mdn).toMatchObject({ status: 'bad-signature', signed: false });
    expect(mdn.reason).toMatch(/signed MDN was requested .* unsigned/);
  });

  it('http-500: answers 500 without an MDN', async () => {
    const testPartner = await start({ faults: [parseFault('http-500')] });
    const sent = fullySecured();
    const answer = await postMessage(testPartner.url, sent.headers, sent.body);
    expect(answer.status).toBe(500);
    expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    expect(loggedMessages()).toEqual([expect.objectContaining({ httpStatus: 500, outcome: 'rejected', faults: ['http-500'] })]);
  });

  it('slow:<ms>: the MDN arrives after the delay, and a client with a shorter timeout gives up', async () => {
    const testPartner = await start({ faults: [parseFault('slow:700')] });
    const sent = fullySecured();
    const answer = await postMessage(testPartner.url, sent.headers, sent.body);
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(700);
    expect(readAnswer(sent, answer).status).toBe('delivered');
    await expect(postMessage(testPartner.url, sent.headers, sent.body, { timeoutMs: 200 })).rejects.toThrow(/no answer within 200 ms/);
  });

  it('drop: closes the connection without answering', async () => {
    const testPartner = await start({ faults: [parseFault('drop')] });
    const sent = fullySecured();
    await expect(postMessage(testPartner.url, sent.headers, sent.body)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(loggedMessages()).toEqual([expect.objectContaining({ httpStatus: 'dropped', faults: ['drop'] })]);
  });
});

describe('test AS2 partner on bad input', () => {
  it('answers an undecryptable body with an error MDN and keeps serving', async () => {
    const testPartner = await start();
    const sent = fullySecured();
    const garbage = Buffer.from(sent.body);
    garbage.fill(0x41, 40, 400);
    const mdn = readAnswer(sent, await postMessage(testPartner.url, sent.headers, garbage));
    expect(mdn.status).toBe('failed');
    expect(mdn.disposition.modifier).toBe('error');
    expect(mdn.disposition.description).toMatch(/decryption-failed|unexpected-processing-error/);
    const good = fullySecured();
    expect(readAnswer(good, await postMessage(testPartner.url, good.headers, good.body)).status).toBe('delivered');
  });

  it('answers a message signed by an untrusted key with authentication-failed', async () => {
    const stranger = await createTestIdentity(dir, 'STRANGER');
    const testPartner = await start();
    const sent = fullySecured({ sign: { keyPair: loadKeyPair({ privateKey: stranger.keyPem, certificate: stranger.certPem }), algorithm: 'sha256' } });
    const mdn = readAnswer(sent, await postMessage(testPartner.url, sent.headers, sent.body));
    expect(mdn).toMatchObject({ status: 'failed', disposition: { modifier: 'error', description: 'authentication-failed' } });
  });

  it('answers a message for another AS2-To or from another AS2-From with an error MDN and stores nothing', async () => {
    const inboxDir = join(dir, 'inbox-refused');
    const testPartner = await start({ inboxDir });
    const wrongTo = fullySecured({ as2To: 'SOMEONE ELSE' });
    expect(readAnswer(wrongTo, await postMessage(testPartner.url, wrongTo.headers, wrongTo.body))).toMatchObject({ status: 'failed', disposition: { description: 'unexpected-processing-error' } });
    const wrongFrom = fullySecured({ as2From: 'IMPOSTOR' });
    expect(readAnswer(wrongFrom, await postMessage(testPartner.url, wrongFrom.headers, wrongFrom.body))).toMatchObject({ status: 'failed', disposition: { description: 'authentication-failed' } });
    await expect(readdir(inboxDir)).rejects.toThrow(/ENOENT/);
  });

  it('keeps a hostile filename inside the inbox', async () => {
    const inboxDir = join(dir, 'inbox-traversal');
    const testPartner = await start({ inboxDir });
    const sent = fullySecured({ fileName: '../../../../tmp/evil.sh' });
    expect(readAnswer(sent, await postMessage(testPartner.url, sent.headers, sent.body)).status).toBe('delivered');
    expect(await readdir(inboxDir)).toEqual(['evil.sh']);
  });

  it('refuses requests without AS2 headers (400), too large (413), not POST (405) or on another path (404)', async () => {
    const testPartner = await start({ maxBodyBytes: 4096 });
    expect((await postMessage(testPartner.url, { 'Content-Type': 'text/plain' }, Buffer.from('hello'))).status).toBe(400);
    const big = fullySecured({ payload: Buffer.alloc(8192, 0x41), compress: undefined });
    const tooLarge = await postMessage(testPartner.url, big.headers, big.body);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.toString()).toMatch(/larger than this partner accepts \(4096 bytes\)/);
    const url = new URL(testPartner.url);
    expect((await fetch(url)).status).toBe(405);
    expect((await postMessage(new URL('/other', url).href, {}, Buffer.alloc(0))).status).toBe(404);
    const good = fullySecured();
    expect(readAnswer(good, await postMessage(testPartner.url, good.headers, good.body)).status).toBe('delivered');
  });

  it('cuts off a client that stalls mid-request after --request-timeout-ms', async () => {
    const servers = jest.spyOn(http, 'createServer');
    let testPartner: RunningTestPartner;
    try {
      testPartner = await start({ requestTimeoutMs: 400 });
      // Node enforces the timeout when it checks its connections: every 100 ms here, not every 30 s (its default).
      expect(servers.mock.calls[0]?.[0]).toMatchObject({ requestTimeout: 400, headersTimeout: 400, connectionsCheckingInterval: 100 });
    } finally {
      servers.mockRestore();
    }
    const url = new URL(testPartner.url);
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npartial`);
    await new Promise((closed) => socket.on('close', closed));
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('survives mangled AS2 messages: every answer is an error MDN or a 4xx, and a good message still goes through', async () => {
    const testPartner = await start();
    const statuses = new Set<number>();
    for (let round = 0; round < 24; round += 1) {
      const sent = fullySecured({ encrypt: round % 2 ? undefined : { certificate: partnerCertificate, algorithm: 'aes-128-cbc' } });
      const body = Buffer.from(sent.body);
      const headers = { ...sent.headers };
      switch (round % 4) {
        case 0: body.set(randomBytes(64), Math.floor(body.length / 3)); break;
        case 1: headers['Content-Type'] = 'multipart/signed; boundary="missing"'; break;
        case 2: headers['Content-Transfer-Encoding'] = 'base64'; break;
        default: break;
      }
      const truncated = round % 4 === 3 ? body.subarray(0, Math.floor(body.length / 2)) : body;
      const answer = await postMessage(testPartner.url, headers, truncated);
      statuses.add(answer.status);
      if (answer.status === 200) expect([round, readAnswer(sent, answer).status]).toEqual([round, 'failed']);
      else expect(answer.status).toBeGreaterThanOrEqual(400);
    }
    expect([...statuses].every((status) => status === 200 || (status >= 400 && status < 500))).toBe(true);
    const good = fullySecured();
    expect(readAnswer(good, await postMessage(testPartner.url, good.headers, good.body)).status).toBe('delivered');
  });
});
