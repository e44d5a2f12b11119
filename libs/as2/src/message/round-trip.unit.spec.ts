import { createHash } from 'node:crypto';
import { contentCiphers, digestAlgorithms } from '../crypto/algorithms';
import { createSelfSignedIdentity } from '../pki/self-signed-identity';
import { buildAs2Message, type BuildAs2MessageOptions } from './build-as2-message';
import { receiveAs2Message } from './receive-as2-message';

const sender = createSelfSignedIdentity({ commonName: 'Sender' });
const receiver = createSelfSignedIdentity({ commonName: 'Receiver' });
const payload = Buffer.concat([Buffer.from('ISA*00*          *00*\r\nGS*PO\n'), Buffer.from([0, 0xff, 0x0d, 0x0a, 0x1a, 0x80])]);

function roundTrip(options: Partial<BuildAs2MessageOptions>) {
  const sent = buildAs2Message({ payload, fileName: 'po.edi', contentType: 'application/edi-x12', as2From: 'SENDER', as2To: 'RECEIVER', ...options });
  const received = receiveAs2Message({
    headers: sent.headers,
    body: sent.body,
    decryptionKeys: [receiver.keyPair],
    partnerCertificates: [sender.keyPair.certificate],
  });
  return { sent, received };
}

describe('build → receive round trips', () => {
  it.each(digestAlgorithms)('signed with %s: payload, filename, signer and MIC survive', (algorithm) => {
    const { sent, received } = roundTrip({ sign: { keyPair: sender.keyPair, algorithm } });
    expect(received.payload).toEqual(payload);
    expect(received.fileName).toBe('po.edi');
    expect(received.contentType).toBe('application/edi-x12');
    expect(received.signature).toMatchObject({ algorithm, canonicalized: false });
    expect(received.signature?.certificate.fingerprint).toBe(sender.keyPair.certificate.fingerprint);
    expect(received.mic).toEqual(sent.mic);
    expect(sent.mic.algorithm).toBe(algorithm);
    expect(sent.headers['Content-Type']).toMatch(/^multipart\/signed; protocol="application\/pkcs7-signature"; micalg=sha/);
  });

  it.each(contentCiphers)('encrypted with %s (unsigned)', (algorithm) => {
    const { sent, received } = roundTrip({ encrypt: { certificate: receiver.keyPair.certificate, algorithm } });
    expect(received.payload).toEqual(payload);
    expect(received.encryption).toMatchObject({ algorithm });
    expect(received.signature).toBeUndefined();
    expect(received.mic).toEqual(sent.mic);
    expect(sent.headers['Content-Type']).toContain('smime-type=enveloped-data');
  });

  it.each(digestAlgorithms.flatMap((d) => contentCiphers.map((c) => [d, c] as const)))('signed %s + encrypted %s', (digest, cipher) => {
    const { sent, received } = roundTrip({ sign: { keyPair: sender.keyPair, algorithm: digest }, encrypt: { certificate: receiver.keyPair.certificate, algorithm: cipher } });
    expect(received.payload).toEqual(payload);
    expect(received.mic).toEqual(sent.mic);
  });

  it.each(['before-signing', 'after-signing'] as const)('compressed %s, signed and encrypted', (compress) => {
    const { sent, received } = roundTrip({ compress, sign: { keyPair: sender.keyPair, algorithm: 'sha256' }, encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'aes-128-cbc' } });
    expect(received.payload).toEqual(payload);
    expect(received.compression).toBe(compress);
    expect(received.mic).toEqual(sent.mic);
  });

  it('compressed only', () => {
    const { sent, received } = roundTrip({ compress: 'before-signing' });
    expect(received.payload).toEqual(payload);
    expect(received.compression).toBe('unsigned');
    expect(received.mic).toEqual(sent.mic);
  });

  it('plain: payload in the HTTP body, filename from the HTTP Content-Disposition', () => {
    const { sent, received } = roundTrip({});
    expect(sent.body).toEqual(payload);
    expect(received.payload).toEqual(payload);
    expect(received.fileName).toBe('po.edi');
    expect(received.mic).toEqual(sent.mic);
  });

  it('a 3 MiB binary payload survives sign + compress + encrypt', () => {
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
    const sent = buildAs2Message({ payload: big, as2From: 'A', as2To: 'B', compress: 'after-signing', sign: { keyPair: sender.keyPair, algorithm: 'sha512' }, encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'des-ede3-cbc' } });
    const received = receiveAs2Message({ headers: sent.headers, body: sent.body, decryptionKeys: [receiver.keyPair], partnerCertificates: [sender.keyPair.certificate] });
    expect(received.payload.equals(big)).toBe(true);
  });
});

describe('MIC (RFC 4130 §7.3.1, RFC 5402 §4)', () => {
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('base64');
  // An unsigned message's MIC is taken with SHA-1 when no micalg was asked (RFC 4130 §7.4.3).
  const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('base64');
  const payloadEntity = (body: Buffer) => Buffer.concat([Buffer.from('Content-Type: application/edi-x12\r\nContent-Transfer-Encoding: binary\r\nContent-Disposition: attachment; filename=po.edi\r\n\r\n'), body]);

  it('plain message: over the content only', () => {
    expect(roundTrip({}).sent.mic.value).toBe(sha1(payload));
  });

  it('encrypted, unsigned: over the decrypted payload entity with its MIME headers', () => {
    expect(roundTrip({ encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'aes-256-cbc' } }).received.mic.value).toBe(sha1(payloadEntity(payload)));
  });

  it('compressed, unsigned: over the uncompressed payload entity with its headers', () => {
    expect(roundTrip({ compress: 'after-signing' }).received.mic.value).toBe(sha1(payloadEntity(payload)));
  });

  it('signed: over the signed part including its headers, byte-exact from the wire', () => {
    const { sent, received } = roundTrip({ sign: { keyPair: sender.keyPair, algorithm: 'sha256' } });
    const boundary = /boundary="([^"]+)"/.exec(sent.headers['Content-Type'])![1];
    const start = sent.body.indexOf(`--${boundary}\r\n`) + boundary.length + 4;
    const end = sent.body.indexOf(`\r\n--${boundary}`, start);
    expect(received.mic.value).toBe(sha256(sent.body.subarray(start, end)));
    expect(sent.body.subarray(start, end)).toEqual(payloadEntity(payload));
  });

  it('computes a signed message\'s MIC with its signature digest, not the signed-receipt-micalg asked for (RFC 4130 §7.4.3)', () => {
    const { sent, received } = roundTrip({ sign: { keyPair: sender.keyPair, algorithm: 'sha1' }, mdn: { signed: { micAlgorithms: ['sha512', 'sha256'] } } });
    expect(sent.headers['Disposition-Notification-Options']).toBe('signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-512, sha-256');
    expect(sent.mic.algorithm).toBe('sha1');
    expect(received.mic.algorithm).toBe('sha1');
    expect(received.mic).toEqual(sent.mic);
  });

  it('uses the first supported signed-receipt-micalg the sender asked for when the message is not signed', () => {
    const { sent, received } = roundTrip({ encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'aes-128-cbc' }, mdn: { signed: { micAlgorithms: ['sha512', 'sha256'] } } });
    expect(received.mic.algorithm).toBe('sha512');
    expect(received.mic).toEqual(sent.mic);
  });

  it.each([
    ['encrypted', (): Partial<BuildAs2MessageOptions> => ({ encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'aes-128-cbc' } })],
    ['compressed', (): Partial<BuildAs2MessageOptions> => ({ compress: 'before-signing' })],
    ['plain', (): Partial<BuildAs2MessageOptions> => ({})],
  ])('takes an unsigned %s message\'s MIC with SHA-1 when no signed-receipt-micalg was asked (RFC 4130 §7.4.3), on both sides', (_name, security) => {
    const { sent, received } = roundTrip({ ...security(), mdn: {} });
    expect(sent.mic.algorithm).toBe('sha1');
    expect(received.mic).toEqual(sent.mic);
  });

  it('verifies and computes the MIC over the canonical form when a relay turned CRLF into LF', () => {
    const { sent } = roundTrip({ sign: { keyPair: sender.keyPair, algorithm: 'sha256' }, payload: Buffer.from('line1\r\nline2\r\n') });
    const mangled = Buffer.from(sent.body.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    const received = receiveAs2Message({ headers: sent.headers, body: mangled, partnerCertificates: [sender.keyPair.certificate] });
    expect(received.signature?.canonicalized).toBe(true);
    expect(received.mic).toEqual(sent.mic);
  });
});

describe('outgoing headers', () => {
  it('writes the AS2 headers', () => {
    const sent = buildAs2Message({
      payload,
      as2From: 'My Company',
      as2To: 'PARTNER',
      from: 'as2@me.example',
      subject: 'PO 1',
      messageId: '<abc@host>',
      date: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)),
      mdn: { returnAddress: 'as2@me.example', asyncUrl: 'https://me/mdn', signed: { micAlgorithms: ['sha256'], importance: 'required' } },
    });
    expect(sent.headers).toMatchObject({
      'AS2-Version': '1.2',
      'AS2-From': '"My Company"',
      'AS2-To': 'PARTNER',
      From: 'as2@me.example',
      'Message-ID': '<abc@host>',
      Subject: 'PO 1',
      Date: 'Thu, 02 Jan 2025 03:04:05 +0000',
      'Disposition-Notification-To': 'as2@me.example',
      'Disposition-Notification-Options': 'signed-receipt-protocol=required, pkcs7-signature; signed-receipt-micalg=required, sha-256',
      'Receipt-Delivery-Option': 'https://me/mdn',
    });
  });

  it('generates a unique <id@domain> Message-ID and refuses a malformed one', () => {
    const a = buildAs2Message({ payload, as2From: 'A', as2To: 'B' }).messageId;
    const b = buildAs2Message({ payload, as2From: 'A', as2To: 'B' }).messageId;
    expect(a).toMatch(/^<[^@<>]+@as2-partners\.local>$/);
    expect(a).not.toBe(b);
    expect(() => buildAs2Message({ payload, as2From: 'A', as2To: 'B', messageId: 'no-brackets' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('asks for no MDN unless told to, and sends no From unless given an address', () => {
    const sent = buildAs2Message({ payload, as2From: 'A', as2To: 'B' });
    expect(sent.headers['Disposition-Notification-To']).toBeUndefined();
    expect(sent.headers['From']).toBeUndefined();
  });

  it('without a return address, Disposition-Notification-To is the async URL, else a placeholder', () => {
    expect(buildAs2Message({ payload, as2From: 'A', as2To: 'B', mdn: { asyncUrl: 'https://me/mdn' } }).headers['Disposition-Notification-To']).toBe('https://me/mdn');
    expect(buildAs2Message({ payload, as2From: 'A', as2To: 'B', mdn: {} }).headers['Disposition-Notification-To']).toBe('as2@as2-partners.local');
  });
});
