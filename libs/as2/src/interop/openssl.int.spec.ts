import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentCiphers, digestAlgorithms, type ContentCipher, type DigestAlgorithm } from '../crypto/algorithms';
import { buildMdn } from '../mdn/build-mdn';
import { parseAs2Envelope } from '../message/as2-envelope';
import { buildAs2Message } from '../message/build-as2-message';
import { receiveAs2Message } from '../message/receive-as2-message';
import { parseMimeEntity } from '../mime/mime-entity';
import { createSelfSignedIdentity } from '../pki/self-signed-identity';

// Proves interoperability with an implementation nobody here wrote: the openssl binary (OpenSSL 3.x `cms`).
const dir = mkdtempSync(join(tmpdir(), 'as2-openssl-'));
const sender = createSelfSignedIdentity({ commonName: 'Interop Sender' });
const receiver = createSelfSignedIdentity({ commonName: 'Interop Receiver' });
const file = (name: string, content?: string | Buffer) => {
  const path = join(dir, name);
  if (content !== undefined) writeFileSync(path, content);
  return path;
};
file('sender.pem', sender.certificatePem);
file('sender.key', sender.privateKeyPem);
file('receiver.pem', receiver.certificatePem);
file('receiver.key', receiver.privateKeyPem);

const openssl = (...args: string[]): Buffer => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const opensslDigest: Record<DigestAlgorithm, string> = { sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };
const opensslCipher: Record<ContentCipher, string> = { 'des-ede3-cbc': '-des3', 'aes-128-cbc': '-aes128', 'aes-192-cbc': '-aes192', 'aes-256-cbc': '-aes256' };

const payload = Buffer.concat([Buffer.from('ISA*00*          *00*          *ZZ*SENDER\r\n'), Buffer.from([0, 1, 2, 0x0a, 0x0d, 0xfe, 0xff]), Buffer.from('IEA*1~\r\n')]);
const payloadEntity = Buffer.concat([Buffer.from('Content-Type: application/edi-x12\r\nContent-Transfer-Encoding: binary\r\nContent-Disposition: attachment; filename=po.edi\r\n\r\n'), payload]);
const as2Headers = { 'as2-from': 'SENDER', 'as2-to': 'RECEIVER', 'message-id': '<interop@test>' };

/** Turns a MIME file written by openssl into HTTP headers + body, as an AS2 sender would transmit it. */
function asHttp(mime: Buffer): { headers: Record<string, string>; body: Buffer } {
  const entity = parseMimeEntity(mime);
  const headers: Record<string, string> = { ...as2Headers };
  for (const h of entity.headers.entries) headers[h.name.toLowerCase()] = h.value;
  return { headers, body: entity.body };
}

function asMimeFile(headers: Readonly<Record<string, string>>, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`MIME-Version: 1.0\r\nContent-Type: ${headers['Content-Type']}\r\n\r\n`), body]);
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// OpenSSL's S/MIME multipart reader in -binary mode keeps the CR of the closing CRLF, so binary signed parts are
// checked with -content (the detached bytes), and whole-message parsing with a CRLF text payload.
describe('our messages, read by openssl cms', () => {
  /** Cuts a multipart/signed body at its boundaries with plain indexOf, independently of our MIME parser. */
  function signedParts(headers: Readonly<Record<string, string>>, body: Buffer): { content: Buffer; signature: Buffer } {
    const boundary = /boundary="([^"]+)"/.exec(headers['Content-Type'])![1];
    const first = body.indexOf(`--${boundary}\r\n`) + boundary.length + 4;
    const second = body.indexOf(`\r\n--${boundary}\r\n`, first);
    const sigPart = body.subarray(second + boundary.length + 6, body.indexOf(`\r\n--${boundary}--`));
    const sigBody = sigPart.subarray(sigPart.indexOf('\r\n\r\n') + 4);
    return { content: body.subarray(first, second), signature: Buffer.from(sigBody.toString('latin1'), 'base64') };
  }

  it.each(digestAlgorithms)('openssl verifies our %s detached signature over the exact signed part (binary payload)', (algorithm) => {
    const sent = buildAs2Message({ payload, fileName: 'po.edi', contentType: 'application/edi-x12', as2From: 'A', as2To: 'B', sign: { keyPair: sender.keyPair, algorithm } });
    const { content, signature } = signedParts(sent.headers, sent.body);
    expect(content).toEqual(payloadEntity);
    const sig = file(`sig-${algorithm}.der`, signature);
    openssl('cms', '-verify', '-binary', '-noverify', '-inform', 'DER', '-in', sig, '-content', file(`content-${algorithm}`, content), '-certfile', file('sender.pem'), '-out', file(`verified-${algorithm}`));
    const printed = openssl('cms', '-cmsout', '-print', '-inform', 'DER', '-in', sig).toString();
    expect(printed).toContain(`algorithm: ${algorithm}`);
  });

  it('openssl parses and verifies our whole multipart/signed message (CRLF text payload)', () => {
    const text = Buffer.from('UNA:+.? \'\r\nUNB+UNOC:3+SENDER+RECEIVER\'\r\n');
    const sent = buildAs2Message({ payload: text, contentType: 'application/edifact', as2From: 'A', as2To: 'B', sign: { keyPair: sender.keyPair, algorithm: 'sha256' } });
    const out = file('verified-text');
    openssl('cms', '-verify', '-noverify', '-in', file('signed-text.eml', asMimeFile(sent.headers, sent.body)), '-inform', 'SMIME', '-out', out);
    expect(readFileSync(out).toString('latin1')).toContain(text.toString('latin1'));
  });

  it.each(contentCiphers)('openssl decrypts our %s enveloped-data', (cipher) => {
    const sent = buildAs2Message({ payload, fileName: 'po.edi', contentType: 'application/edi-x12', as2From: 'A', as2To: 'B', encrypt: { certificate: receiver.keyPair.certificate, algorithm: cipher } });
    const out = file(`decrypted-${cipher}`);
    openssl('cms', '-decrypt', '-binary', '-inform', 'DER', '-in', file(`enc-${cipher}.der`, sent.body), '-recip', file('receiver.pem'), '-inkey', file('receiver.key'), '-out', out);
    expect(readFileSync(out)).toEqual(payloadEntity);
  });

  it('openssl decrypts then verifies our signed + encrypted message', () => {
    const sent = buildAs2Message({ payload, fileName: 'po.edi', contentType: 'application/edi-x12', as2From: 'A', as2To: 'B', sign: { keyPair: sender.keyPair, algorithm: 'sha256' }, encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'aes-256-cbc' } });
    const inner = file('inner.eml');
    openssl('cms', '-decrypt', '-binary', '-inform', 'DER', '-in', file('se.der', sent.body), '-recip', file('receiver.pem'), '-inkey', file('receiver.key'), '-out', inner);
    const decrypted = parseMimeEntity(readFileSync(inner));
    const { content, signature } = signedParts({ 'Content-Type': decrypted.headers.get('content-type')! }, decrypted.body);
    expect(content).toEqual(payloadEntity);
    openssl('cms', '-verify', '-binary', '-noverify', '-inform', 'DER', '-in', file('se-sig.der', signature), '-content', file('se-content', content), '-out', file('se-out'));
  });

  it('openssl verifies our signed MDN', () => {
    const sent = buildAs2Message({ payload, as2From: 'A', as2To: 'B', mdn: { signed: { micAlgorithms: ['sha256'] } } });
    const mdn = buildMdn({ envelope: parseAs2Envelope(sent.headers), disposition: { type: 'processed' }, mic: sent.mic, signer: receiver.keyPair });
    const out = file('mdn-content');
    openssl('cms', '-verify', '-noverify', '-in', file('mdn.eml', asMimeFile(mdn.headers, mdn.body)), '-inform', 'SMIME', '-out', out);
    expect(readFileSync(out).toString()).toContain(`Received-Content-MIC: ${sent.mic.value}, sha-256`);
  });
});

describe('openssl-made messages, read by us', () => {
  const entityFile = file('entity.eml', payloadEntity);
  const mic = (algorithm: DigestAlgorithm) => createHash(algorithm).update(payloadEntity).digest('base64');

  it.each(digestAlgorithms)('we verify an openssl %s detached signature and compute the MIC over the signed part', (algorithm) => {
    const signed = openssl('cms', '-sign', '-binary', '-md', opensslDigest[algorithm], '-signer', file('sender.pem'), '-inkey', file('sender.key'), '-in', entityFile);
    const { headers, body } = asHttp(signed);
    const received = receiveAs2Message({ headers, body, partnerCertificates: [sender.keyPair.certificate] });
    expect(received.payload).toEqual(payload);
    expect(received.fileName).toBe('po.edi');
    expect(received.signature?.algorithm).toBe(algorithm);
    expect(received.mic).toEqual({ value: mic(algorithm), algorithm });
  });

  it.each(contentCiphers)('we decrypt openssl %s enveloped-data (DER)', (cipher) => {
    const encrypted = openssl('cms', '-encrypt', '-binary', opensslCipher[cipher], '-outform', 'DER', '-in', entityFile, file('receiver.pem'));
    const received = receiveAs2Message({
      headers: { ...as2Headers, 'content-type': 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m' },
      body: encrypted,
      decryptionKeys: [receiver.keyPair],
    });
    expect(received.payload).toEqual(payload);
    expect(received.encryption?.algorithm).toBe(cipher);
    // Unsigned, no micalg asked: SHA-1 (RFC 4130 §7.4.3).
    expect(received.mic).toEqual({ value: mic('sha1'), algorithm: 'sha1' });
  });

  it('we decrypt openssl streamed (indefinite-length BER) S/MIME output with base64 transfer encoding', () => {
    const encrypted = openssl('cms', '-encrypt', '-binary', '-stream', '-aes256', '-in', entityFile, file('receiver.pem'));
    const { headers, body } = asHttp(encrypted);
    expect(headers['content-transfer-encoding']).toBe('base64');
    const received = receiveAs2Message({ headers, body, decryptionKeys: [receiver.keyPair] });
    expect(received.payload).toEqual(payload);
  });

  it('we read an openssl signed-then-encrypted message, with the MIC of the signed part', () => {
    const signed = file('os-signed.eml', openssl('cms', '-sign', '-binary', '-md', 'sha256', '-signer', file('sender.pem'), '-inkey', file('sender.key'), '-in', entityFile));
    const encrypted = openssl('cms', '-encrypt', '-binary', '-aes128', '-outform', 'DER', '-in', signed, file('receiver.pem'));
    const received = receiveAs2Message({
      headers: { ...as2Headers, 'content-type': 'application/pkcs7-mime; smime-type=enveloped-data' },
      body: encrypted,
      decryptionKeys: [receiver.keyPair],
      partnerCertificates: [sender.keyPair.certificate],
      requireSignature: true,
      requireEncryption: true,
    });
    expect(received.payload).toEqual(payload);
    expect(received.signature?.algorithm).toBe('sha256');
    expect(received.mic).toEqual({ value: mic('sha256'), algorithm: 'sha256' });
  });

  it('we verify an openssl -binary signature over content ending in CR (bare-LF delimiters)', () => {
    const endsInCr = Buffer.concat([payloadEntity, Buffer.from('\x00\r')]);
    const signed = openssl('cms', '-sign', '-binary', '-md', 'sha256', '-signer', file('sender.pem'), '-inkey', file('sender.key'), '-in', file('cr.eml', endsInCr));
    const { headers, body } = asHttp(signed);
    const received = receiveAs2Message({ headers, body, partnerCertificates: [sender.keyPair.certificate] });
    expect(received.payload).toEqual(Buffer.concat([payload, Buffer.from('\x00\r')]));
    expect(received.mic.value).toBe(createHash('sha256').update(endsInCr).digest('base64'));
  });

  it('we verify an openssl opaque signature (smime-type=signed-data)', () => {
    const signed = openssl('cms', '-sign', '-binary', '-nodetach', '-md', 'sha256', '-signer', file('sender.pem'), '-inkey', file('sender.key'), '-outform', 'DER', '-in', entityFile);
    const received = receiveAs2Message({
      headers: { ...as2Headers, 'content-type': 'application/pkcs7-mime; smime-type=signed-data' },
      body: signed,
      partnerCertificates: [sender.keyPair.certificate],
    });
    expect(received.payload).toEqual(payload);
    expect(received.mic.value).toBe(mic('sha256'));
  });
});
