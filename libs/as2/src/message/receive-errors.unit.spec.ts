import { As2Error, type As2ErrorCode } from '../errors/as2-error';
import { mdnErrorModifierFor } from '../mdn/mdn-disposition';
import { createSelfSignedIdentity } from '../pki/self-signed-identity';
import { buildAs2Message } from './build-as2-message';
import { receiveAs2Message, type ReceiveAs2MessageOptions } from './receive-as2-message';

const sender = createSelfSignedIdentity({ commonName: 'Sender' });
const receiver = createSelfSignedIdentity({ commonName: 'Receiver' });
const stranger = createSelfSignedIdentity({ commonName: 'Stranger' });
const payload = Buffer.from('UNB+UNOA:2+SENDER+RECEIVER\r\n');

function failureOf(options: ReceiveAs2MessageOptions): As2Error {
  try {
    receiveAs2Message(options);
  } catch (error) {
    expect(error).toBeInstanceOf(As2Error);
    return error as As2Error;
  }
  throw new Error('expected receiveAs2Message to fail');
}

const signedEncrypted = () =>
  buildAs2Message({ payload, as2From: 'S', as2To: 'R', sign: { keyPair: sender.keyPair, algorithm: 'sha256' }, encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'aes-256-cbc' } });
const signedOnly = () => buildAs2Message({ payload, as2From: 'S', as2To: 'R', sign: { keyPair: sender.keyPair, algorithm: 'sha256' } });

function expectFailure(options: ReceiveAs2MessageOptions, code: As2ErrorCode, message: RegExp, modifier: string): void {
  const error = failureOf(options);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  expect(mdnErrorModifierFor(error)).toBe(modifier);
}

describe('receive failures are typed, name the certificate, and map to the MDN disposition', () => {
  it('encrypted for another certificate → RECIPIENT_MISMATCH naming both certificates', () => {
    const m = signedEncrypted();
    expectFailure({ headers: m.headers, body: m.body, decryptionKeys: [stranger.keyPair], partnerCertificates: [sender.keyPair.certificate] }, 'RECIPIENT_MISMATCH', /CN=Receiver.*CN=Stranger/, 'decryption-failed');
  });

  it('right recipient id but wrong private key → DECRYPTION_FAILED', () => {
    const m = signedEncrypted();
    const wrongKey = { privateKey: stranger.keyPair.privateKey, certificate: receiver.keyPair.certificate };
    expectFailure({ headers: m.headers, body: m.body, decryptionKeys: [wrongKey], partnerCertificates: [sender.keyPair.certificate] }, 'DECRYPTION_FAILED', /could not be decrypted|not a MIME entity/, 'decryption-failed');
  });

  it('no decryption key configured → DECRYPTION_FAILED', () => {
    const m = signedEncrypted();
    expectFailure({ headers: m.headers, body: m.body }, 'DECRYPTION_FAILED', /no private key/, 'decryption-failed');
  });

  it('signed by someone else → SIGNER_UNKNOWN naming who signed and who was expected', () => {
    const m = signedOnly();
    expectFailure({ headers: m.headers, body: m.body, partnerCertificates: [stranger.keyPair.certificate] }, 'SIGNER_UNKNOWN', /issuer "CN=Sender".*CN=Stranger/, 'authentication-failed');
  });

  it('altered content → DIGEST_MISMATCH', () => {
    const m = signedOnly();
    const body = Buffer.from(m.body.toString('latin1').replace('UNB+UNOA', 'UNB+UNOB'), 'latin1');
    expectFailure({ headers: m.headers, body, partnerCertificates: [sender.keyPair.certificate] }, 'DIGEST_MISMATCH', /SHA256 digest/, 'integrity-check-failed');
  });

  it('forged signature value → SIGNATURE_INVALID naming the certificate and algorithm', () => {
    const other = buildAs2Message({ payload, as2From: 'S', as2To: 'R', sign: { keyPair: { privateKey: stranger.keyPair.privateKey, certificate: sender.keyPair.certificate }, algorithm: 'sha256' } });
    expectFailure({ headers: other.headers, body: other.body, partnerCertificates: [sender.keyPair.certificate] }, 'SIGNATURE_INVALID', /SHA256 with RSA.*CN=Sender.*fingerprint/, 'authentication-failed');
  });

  it('unsigned when a signature is required → INSUFFICIENT_SECURITY', () => {
    const m = buildAs2Message({ payload, as2From: 'S', as2To: 'R', encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'aes-128-cbc' } });
    expectFailure({ headers: m.headers, body: m.body, decryptionKeys: [receiver.keyPair], requireSignature: true }, 'INSUFFICIENT_SECURITY', /must be signed/, 'insufficient-message-security');
  });

  it('unencrypted when encryption is required → INSUFFICIENT_SECURITY', () => {
    const m = signedOnly();
    expectFailure({ headers: m.headers, body: m.body, partnerCertificates: [sender.keyPair.certificate], requireEncryption: true }, 'INSUFFICIENT_SECURITY', /must be encrypted/, 'insufficient-message-security');
  });

  it('body above maxMessageBytes → SIZE_LIMIT_EXCEEDED before any parsing', () => {
    const m = signedOnly();
    expectFailure({ headers: m.headers, body: m.body, maxMessageBytes: 100 }, 'SIZE_LIMIT_EXCEEDED', /limit of 100 bytes/, 'unexpected-processing-error');
  });

  it('a zip bomb stops at maxPayloadBytes', () => {
    const m = buildAs2Message({ payload: Buffer.alloc(2 * 1024 * 1024), as2From: 'S', as2To: 'R', compress: 'before-signing' });
    expect(m.body.length).toBeLessThan(10_000);
    expectFailure({ headers: m.headers, body: m.body, maxPayloadBytes: 1024 * 1024 }, 'SIZE_LIMIT_EXCEEDED', /expands beyond/, 'unexpected-processing-error');
  });

  it('truncated CMS → a typed error at every cut', () => {
    const m = signedEncrypted();
    for (const cut of [1, 2, 10, 100, m.body.length - 17, m.body.length - 1]) {
      const error = failureOf({ headers: m.headers, body: m.body.subarray(0, cut), decryptionKeys: [receiver.keyPair], partnerCertificates: [sender.keyPair.certificate] });
      expect(['MALFORMED_CMS', 'DECRYPTION_FAILED']).toContain(error.code);
    }
  });

  it('garbage instead of S/MIME → MALFORMED_CMS; garbage multipart → MALFORMED_MIME', () => {
    const headers = { 'as2-from': 'S', 'as2-to': 'R', 'message-id': '<1@x>' };
    expect(failureOf({ headers: { ...headers, 'content-type': 'application/pkcs7-mime; smime-type=enveloped-data' }, body: Buffer.from('hello') }).code).toBe('MALFORMED_CMS');
    expect(failureOf({ headers: { ...headers, 'content-type': 'multipart/signed; boundary=x' }, body: Buffer.from('hello') }).code).toBe('MALFORMED_MIME');
    expect(failureOf({ headers: { ...headers, 'content-type': 'multipart/signed' }, body: Buffer.from('--x--') }).code).toBe('MALFORMED_MIME');
  });

  it('not an AS2 request → MISSING_AS2_HEADER', () => {
    expect(failureOf({ headers: { 'content-type': 'text/plain' }, body: Buffer.from('x') }).code).toBe('MISSING_AS2_HEADER');
  });

  it('an unsupported compression algorithm is named', () => {
    const m = buildAs2Message({ payload, as2From: 'S', as2To: 'R', compress: 'before-signing' });
    const zlibOid = Buffer.from([0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x03, 0x08]);
    const at = m.body.indexOf(zlibOid);
    const body = Buffer.from(m.body);
    body[at + zlibOid.length - 1] = 0x09;
    expectFailure({ headers: m.headers, body }, 'UNSUPPORTED_ALGORITHM', /1\.2\.840\.113549\.1\.9\.16\.3\.9/, 'unexpected-processing-error');
  });
});
