import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  As2Certificate,
  buildAs2Message,
  handleAs2Request,
  receiveAs2Message,
  loadKeyPair,
  micAlgorithmName,
  readMdn,
  type As2KeyPair,
  type BuildAs2MessageOptions,
  type ContentCipher,
  type HandledAs2Request,
  type OutgoingAs2Message,
} from '../index';
import {
  createTestIdentity,
  installPhaxAs2Peer,
  PhaxAs2Peer,
  phaxPeerPrerequisitesMissing,
  type HeaderLines,
  type PhaxCipher,
  type PhaxReceiveResult,
  type PhaxSendOptions,
  type TestIdentity,
} from '@as2-partners/as2-testing';

// phax as2-lib (Java, Maven Central, written by others) is the second AS2 implementation we prove interoperability
// against. tools/as2-interop/setup-phax.sh fetches and compiles it into tools/.local/phax-as2 in beforeAll (a no-op once
// done); a failed set-up fails the suite. Without a JDK or Maven the suite skips locally, saying so, but fails in CI.
const missing = phaxPeerPrerequisitesMissing();
const ci = process.env['CI'] === 'true';
if (missing && !ci) console.warn(`phax as2-lib interop suite skipped: ${missing}`);
const describeWithPeer = missing && !ci ? describe.skip : describe;

jest.setTimeout(120_000);

const ediPayload = Buffer.from(
  'UNA:+.? \'\r\nUNB+UNOC:3+SENDER:ZZ+RECEIVER:ZZ+260101:1200+1\'\r\nUNH+1+ORDERS:D:96A:UN\'\r\nBGM+220+PO-4711+9\'\r\nUNT+3+1\'\r\nUNZ+1+1\'\r\n',
);
const binaryPayload = randomBytes(64 * 1024);

const phaxCipherFor: Record<ContentCipher, PhaxCipher> = {
  'des-ede3-cbc': '3des',
  'aes-128-cbc': 'aes128-cbc',
  'aes-192-cbc': 'aes192-cbc',
  'aes-256-cbc': 'aes256-cbc',
};
const processed = /^automatic-action\/MDN-sent-automatically;\s*processed$/i;

let dir: string;
let peer: PhaxAs2Peer;
let us: TestIdentity;
let them: TestIdentity;
let ourKeys: As2KeyPair;
let theirCertificate: As2Certificate;

const asHeaderLines = (headers: Readonly<Record<string, string>>): HeaderLines => Object.entries(headers);
const asHeaderRecord = (headers: HeaderLines): Record<string, string> => Object.fromEntries(headers);
const phaxMic = (sent: OutgoingAs2Message): string => `${sent.mic.value}, ${micAlgorithmName(sent.mic.algorithm)}`;

describeWithPeer('interoperability with phax as2-lib', () => {
  beforeAll(async () => {
    await installPhaxAs2Peer();
    dir = await mkdtemp(join(tmpdir(), 'as2-phax-interop-'));
    peer = await PhaxAs2Peer.create(dir);
    [us, them] = await Promise.all([createTestIdentity(dir, 'AS2PARTNERS'), createTestIdentity(dir, 'PHAXPEER')]);
    ourKeys = loadKeyPair({ privateKey: us.keyPem, certificate: us.certPem });
    theirCertificate = As2Certificate.from(them.certPem);
  }, 600_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('we send, as2-lib receives and answers with an MDN we verify', () => {
    function ourMessage(options: Partial<BuildAs2MessageOptions>): OutgoingAs2Message {
      return buildAs2Message({
        payload: ediPayload,
        fileName: 'orders-4711.edi',
        contentType: 'application/edifact',
        as2From: us.as2Id,
        as2To: them.as2Id,
        mdn: {},
        ...options,
      });
    }

    function phaxReceives(sent: OutgoingAs2Message, options: { requireSigned?: boolean; requireEncrypted?: boolean } = {}): Promise<PhaxReceiveResult> {
      return peer.receive(
        { headers: asHeaderLines(sent.headers), body: sent.body },
        { as2Id: them.as2Id, keyFile: them.keyFile, certFile: them.certFile, partnerAs2Id: us.as2Id, partnerCertFile: us.certFile, ...options },
      );
    }

    function weReadItsMdn(sent: OutgoingAs2Message, received: PhaxReceiveResult, requireSignature: boolean) {
      expect(received.mdn).not.toBeNull();
      return readMdn({
        headers: asHeaderRecord(received.mdn!.headers),
        body: received.mdn!.body,
        partnerCertificates: [theirCertificate],
        expected: { messageId: sent.messageId, mic: sent.mic },
        requireSignature,
      });
    }

    type Security = { sign: DigestName; encrypt?: ContentCipher; compress?: 'after-signing' };
    type DigestName = 'sha1' | 'sha256' | 'sha384' | 'sha512';
    const signedCases: Array<[string, Security]> = [
      ['signed SHA-256', { sign: 'sha256' }],
      ['signed SHA-256, encrypted AES-256-CBC', { sign: 'sha256', encrypt: 'aes-256-cbc' }],
      ['signed SHA-256, encrypted AES-128-CBC', { sign: 'sha256', encrypt: 'aes-128-cbc' }],
      ['compressed after signing, signed SHA-256, encrypted AES-256-CBC', { sign: 'sha256', encrypt: 'aes-256-cbc', compress: 'after-signing' }],
      ['compressed after signing, signed SHA-256, encrypted AES-128-CBC', { sign: 'sha256', encrypt: 'aes-128-cbc', compress: 'after-signing' }],
      ['signed SHA-1, encrypted 3DES', { sign: 'sha1', encrypt: 'des-ede3-cbc' }],
      ['signed SHA-384, encrypted AES-192-CBC', { sign: 'sha384', encrypt: 'aes-192-cbc' }],
      ['signed SHA-512', { sign: 'sha512' }],
    ];

    it.each(signedCases)('%s, signed MDN: as2-lib decrypts, verifies, returns our MIC in a signed MDN we verify', async (_name, security) => {
      const binary = security.compress !== undefined;
      const sent = ourMessage({
        ...(binary ? { payload: binaryPayload, contentType: 'application/octet-stream' } : {}),
        sign: { keyPair: ourKeys, algorithm: security.sign },
        ...(security.encrypt ? { encrypt: { certificate: theirCertificate, algorithm: security.encrypt } } : {}),
        ...(security.compress ? { compress: security.compress } : {}),
        mdn: { signed: { micAlgorithms: [security.sign] } },
      });
      const received = await phaxReceives(sent, { requireSigned: true, requireEncrypted: security.encrypt !== undefined });

      expect(received).toMatchObject({
        httpStatus: 200,
        signed: true,
        encrypted: security.encrypt !== undefined,
        compressed: binary,
        mic: phaxMic(sent),
        mdnSigned: true,
        filename: 'orders-4711.edi',
      });
      expect(received.disposition).toMatch(processed);
      expect(received.payload).toEqual(binary ? binaryPayload : ediPayload);
      const mdn = weReadItsMdn(sent, received, true);
      expect(mdn).toMatchObject({ status: 'delivered', signed: true, originalMessageId: sent.messageId, receivedMic: { value: sent.mic.value, algorithm: security.sign } });
      expect(mdn.signer?.fingerprint).toBe(theirCertificate.fingerprint);
    });

    // RFC 5402 §4.1: a signed message's MIC covers what was signed, here the compressed part. as2-lib 5.1.8's receiver
    // computes it over the decompressed payload instead (its sender does it right, see the other direction), so its
    // otherwise correct MDN carries a MIC we must reject. A known peer bug: this test fails the day it is fixed.
    it('compressed before signing, signed, encrypted: as2-lib processes it but returns the MIC of the decompressed payload (its bug), which we report as mic-mismatch', async () => {
      const security = { payload: binaryPayload, contentType: 'application/octet-stream', encrypt: { certificate: theirCertificate, algorithm: 'aes-256-cbc' as const }, compress: 'before-signing' as const };
      const sent = ourMessage({ ...security, sign: { keyPair: ourKeys, algorithm: 'sha256' }, mdn: { signed: { micAlgorithms: ['sha256'] } } });
      const overPayload = ourMessage({ ...security, micAlgorithm: 'sha256' }).mic.value;
      const received = await phaxReceives(sent, { requireSigned: true, requireEncrypted: true });

      expect(received).toMatchObject({ httpStatus: 200, signed: true, compressed: true, encrypted: true, mdnSigned: true });
      expect(received.payload).toEqual(binaryPayload);
      expect(received.mic).toBe(`${overPayload}, sha-256`);
      expect(overPayload).not.toBe(sent.mic.value);
      expect(weReadItsMdn(sent, received, true)).toMatchObject({ status: 'mic-mismatch', signed: true });
    });

    it.each([
      ['compressed', (): Partial<BuildAs2MessageOptions> => ({ compress: 'before-signing' })],
      ['encrypted AES-256-CBC', (): Partial<BuildAs2MessageOptions> => ({ encrypt: { certificate: theirCertificate, algorithm: 'aes-256-cbc' } })],
      ['compressed, encrypted AES-128-CBC', (): Partial<BuildAs2MessageOptions> => ({ compress: 'before-signing', encrypt: { certificate: theirCertificate, algorithm: 'aes-128-cbc' } })],
    ])('unsigned, %s, unsigned MDN: as2-lib extracts the payload and returns our SHA-1 MIC (RFC 4130 §7.4.3)', async (_name, security) => {
      const sent = ourMessage(security());
      const received = await phaxReceives(sent);

      expect(sent.mic.algorithm).toBe('sha1');
      expect(received).toMatchObject({ httpStatus: 200, signed: false, mdnSigned: false, mic: `${sent.mic.value}, sha-1` });
      expect(received.disposition).toMatch(processed);
      expect(received.payload).toEqual(ediPayload);
      expect(weReadItsMdn(sent, received, false)).toMatchObject({ status: 'delivered', signed: false, originalMessageId: sent.messageId });
    });

    // RFC 4130 §7.3.1: a plain (unsigned, unencrypted) message's MIC is over the content without MIME headers. as2-lib's
    // partnership defaults (a signing algorithm is always set) make it hash the HTTP Content-Type header line too.
    it('unsigned and plain: as2-lib processes it but hashes the Content-Type header too (against RFC 4130 §7.3.1), which we report as mic-mismatch', async () => {
      const sent = ourMessage({});
      const withContentType = createHash('sha1').update('Content-Type: application/edifact\r\n\r\n').update(ediPayload).digest('base64');
      const received = await phaxReceives(sent);

      expect(received.disposition).toMatch(processed);
      expect(received.payload).toEqual(ediPayload);
      expect(received.mic).toBe(`${withContentType}, sha-1`);
      expect(weReadItsMdn(sent, received, false)).toMatchObject({ status: 'mic-mismatch' });
    });

    it('as2-lib refuses a message we signed after it was altered, and we read its error MDN as failed', async () => {
      const sent = ourMessage({ sign: { keyPair: ourKeys, algorithm: 'sha256' }, mdn: { signed: { micAlgorithms: ['sha256'] } } });
      const tampered = Buffer.from(sent.body.toString('latin1').replace('PO-4711', 'PO-4712'), 'latin1');
      const received = await phaxReceives({ ...sent, body: tampered }, { requireSigned: true });

      expect(received.disposition).toMatch(/processed\/error:\s*integrity-check-failed/i);
      expect(received.payload).toBeNull();
      const mdn = weReadItsMdn(sent, received, true);
      expect(mdn).toMatchObject({ status: 'failed', signed: true, disposition: { modifier: 'error', description: 'integrity-check-failed' } });
    });
  });

  describe('as2-lib sends over HTTP, we answer with an MDN as2-lib verifies', () => {
    let server: Server;
    let url: string;
    const handled: HandledAs2Request[] = [];
    const requests: Array<{ headers: Record<string, string>; body: Buffer }> = [];

    beforeAll(async () => {
      server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const headers: Record<string, string> = {};
          for (let i = 0; i < request.rawHeaders.length; i += 2) headers[request.rawHeaders[i]] = request.rawHeaders[i + 1];
          requests.push({ headers, body: Buffer.concat(chunks) });
          const result = handleAs2Request({ headers, body: Buffer.concat(chunks), decryptionKeys: [ourKeys], partnerCertificates: [theirCertificate], mdnSigner: ourKeys });
          handled.push(result);
          if (result.mdn && !result.mdn.asyncUrl) {
            response.writeHead(200, { ...result.mdn.headers, 'Content-Length': String(result.mdn.body.length) });
            response.end(result.mdn.body);
          } else {
            response.writeHead(result.envelope ? 200 : 400).end();
          }
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/as2`;
    });

    afterAll(async () => {
      if (server) await new Promise((resolve) => server.close(resolve));
    });

    async function phaxSends(options: Partial<PhaxSendOptions>, payload: Buffer = ediPayload) {
      handled.length = 0;
      requests.length = 0;
      const result = await peer.send({
        url,
        as2From: them.as2Id,
        as2To: us.as2Id,
        keyFile: them.keyFile,
        certFile: them.certFile,
        partnerCertFile: us.certFile,
        payload,
        filename: 'from-phax.edi',
        ...options,
      });
      expect(handled).toHaveLength(1);
      return { result, ours: handled[0], request: requests[0] };
    }

    it.each([
      ['signed SHA-256', { sign: 'sha-256' }],
      ['signed SHA-256, encrypted AES-256-CBC', { sign: 'sha-256', encrypt: 'aes256-cbc' }],
      ['signed SHA-256, encrypted AES-128-CBC', { sign: 'sha-256', encrypt: 'aes128-cbc' }],
      ['compressed before signing, signed SHA-256, encrypted AES-256-CBC', { sign: 'sha-256', encrypt: 'aes256-cbc', compress: 'before-signing' }],
      ['compressed after signing, signed SHA-256, encrypted AES-128-CBC', { sign: 'sha-256', encrypt: 'aes128-cbc', compress: 'after-signing' }],
      ['signed SHA-1, encrypted 3DES', { sign: 'sha-1', encrypt: '3des' }],
      ['signed SHA-384, encrypted AES-192-CBC', { sign: 'sha-384', encrypt: 'aes192-cbc' }],
      ['signed SHA-512', { sign: 'sha-512' }],
    ] as const)('%s, signed MDN: we decrypt and verify, and as2-lib verifies our MDN and finds its MIC equal', async (_name, security) => {
      const binary = 'compress' in security;
      const { result, ours } = await phaxSends(
        { ...security, mdnSign: security.sign, ...(binary ? { contentType: 'application/octet-stream' } : {}) },
        binary ? binaryPayload : ediPayload,
      );

      expect(ours.error).toBeUndefined();
      expect(ours.message!.payload).toEqual(binary ? binaryPayload : ediPayload);
      expect(ours.message).toMatchObject({ fileName: 'from-phax.edi', signature: { certificate: { fingerprint: theirCertificate.fingerprint } } });
      if ('encrypt' in security) expect(ours.message!.encryption?.algorithm).toBe(Object.entries(phaxCipherFor).find(([, p]) => p === security.encrypt)![0]);
      if (binary) expect(ours.message!.compression).toBe(security.compress);
      expect(ours.mdn).toMatchObject({ signed: true });
      expect(result).toMatchObject({ error: null, mdnReceived: true, mdnSignatureVerified: true, micMatched: true, mdnOriginalMessageId: result.messageId });
      expect(result.disposition).toMatch(processed);
      expect(result.receivedMic).toBe(`${ours.message!.mic.value}, ${micAlgorithmName(ours.message!.mic.algorithm)}`);
    });

    it.each([
      ['plain', {}],
      ['encrypted AES-256-CBC', { encrypt: 'aes256-cbc' }],
    ] as const)('unsigned, %s, signed MDN with SHA-256: we extract the payload, as2-lib verifies our MDN and finds its MIC equal', async (_name, security) => {
      const { result, ours } = await phaxSends({ ...security, mdnSign: 'sha-256' });

      expect(ours.error).toBeUndefined();
      expect(ours.message!.payload).toEqual(ediPayload);
      expect(ours.message!.mic.algorithm).toBe('sha256');
      expect(ours.mdn).toMatchObject({ signed: true });
      expect(result).toMatchObject({ error: null, mdnReceived: true, mdnSignatureVerified: true, micMatched: true });
      expect(result.disposition).toMatch(processed);
    });

    // Without a micalg, RFC 4130 §7.4.3 says an unsigned message's MIC SHOULD be SHA-1, which we return (and as2-lib's own
    // receiver does). as2-lib 5.1.8's sender expects SHA-256 then (it falls back to RFC 5751's default), so it logs a
    // mismatch over the same content; it still accepts the MDN.
    it.each([
      ['plain', {}],
      ['encrypted AES-256-CBC', { encrypt: 'aes256-cbc' }],
    ] as const)('unsigned, %s, unsigned MDN: we return the SHA-1 MIC RFC 4130 asks for; as2-lib expected the same content in SHA-256', async (_name, security) => {
      const { result, ours, request } = await phaxSends({ ...security });

      expect(ours.error).toBeUndefined();
      expect(ours.message!.payload).toEqual(ediPayload);
      expect(ours.mdn).toMatchObject({ signed: false });
      const inSha256 = receiveAs2Message({ ...request, decryptionKeys: [ourKeys], micAlgorithm: 'sha256' }).mic.value;
      expect(result).toMatchObject({
        error: null,
        mdnReceived: true,
        micMatched: false,
        receivedMic: `${ours.message!.mic.value}, ${micAlgorithmName('sha1')}`,
        sentMic: `${inSha256}, sha-256`,
      });
      expect(result.disposition).toMatch(processed);
    });

    // RFC 5402 §4.1: an unsigned message's MIC covers the uncompressed payload entity, which we return. as2-lib 5.1.8's
    // sender swaps its message data for the compressed part before taking its MIC, signed or not, so it finds a mismatch.
    it('unsigned, compressed, signed MDN: we return the MIC of the uncompressed payload (RFC 5402 §4.1); as2-lib hashed the compressed part (its bug)', async () => {
      const { result, ours } = await phaxSends({ compress: 'before-signing', mdnSign: 'sha-256' });

      expect(ours.error).toBeUndefined();
      expect(ours.message).toMatchObject({ compression: 'unsigned', mic: { algorithm: 'sha256' } });
      expect(ours.message!.payload).toEqual(ediPayload);
      expect(result).toMatchObject({ error: null, mdnSignatureVerified: true, micMatched: false, receivedMic: `${ours.message!.mic.value}, sha-256` });
      expect(result.sentMic).toMatch(/, sha-256$/);
    });

    it('as2-lib reads our error MDN for a message we cannot decrypt, and reports the failure', async () => {
      const stranger = await createTestIdentity(dir, 'STRANGER');
      const { result, ours } = await phaxSends({ sign: 'sha-256', encrypt: 'aes256-cbc', partnerCertFile: stranger.certFile });

      expect(ours.error?.code).toMatch(/DECRYPTION_FAILED|RECIPIENT_MISMATCH/);
      expect(result.mdnReceived).toBe(true);
      expect(result.disposition).toMatch(/processed\/error:\s*decryption-failed/i);
      expect(result.error).toMatch(/decryption-failed/);
    });
  });
});
