import { createHash, generateKeyPairSync } from 'node:crypto';
import { md, pki } from 'node-forge';
import { Oid } from '@as2-partners/pki';
import { TimestampAuthority } from './timestamp-authority';
import { encodeTimestampRequest } from './timestamp-request';
import { verifyTimestampResponse } from './timestamp-verification';
import { createTsaIdentity, TsaIdentity } from './tsa-identity';

const document = Buffer.from('certificate activation evidence');
const digestHex = createHash('sha256').update(document).digest('hex');
const identity = createTsaIdentity({ now: new Date('2026-01-01T00:00:00Z'), validityDays: 30 });
const root = identity.chainPem[0];
const at = new Date('2026-01-10T12:00:00Z');

function stamp(tsa: TsaIdentity, options: { certReq?: boolean; now?: Date } = {}): Buffer {
  const authority = new TimestampAuthority(tsa, { now: () => options.now ?? at });
  return authority.respond(
    encodeTimestampRequest({ hashAlgorithmOid: Oid.sha256, hashedMessage: Buffer.from(digestHex, 'hex'), certReq: options.certReq ?? true }),
  );
}

/** A self-signed signer whose timeStamping EKU is not critical: not a TSA certificate by RFC 3161 §2.3. */
function identityWithNonCriticalPurpose(): TsaIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '0a';
  cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2026-12-31T00:00:00Z');
  const name = [{ name: 'commonName', value: 'not a TSA' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([{ name: 'extKeyUsage', timeStamping: true }]);
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  cert.sign(pki.privateKeyFromPem(keyPem), md.sha256.create());
  const certificatePem = pki.certificateToPem(cert);
  return { privateKeyPem: keyPem, certificatePem, chainPem: [certificatePem] };
}

describe('verifyTimestampResponse', () => {
  it('accepts a good token for the document, by data or by digest, and returns its time and serial', () => {
    const response = stamp(identity);
    const result = verifyTimestampResponse(response, { data: document, trustedPem: [root] });
    expect(result.genTime.toISOString()).toBe(at.toISOString());
    expect(result.serialNumber).toMatch(/^[0-9a-f]+$/);
    expect(verifyTimestampResponse(response, { digestHex: digestHex.toUpperCase(), trustedPem: [root] })).toEqual(result);
  });

  it('accepts a token without certificates when the caller trusts the TSA certificate itself', () => {
    expect(() => verifyTimestampResponse(stamp(identity, { certReq: false }), { data: document, trustedPem: [root] })).toThrow(/signer certificate/);
    expect(verifyTimestampResponse(stamp(identity, { certReq: false }), { data: document, trustedPem: [identity.certificatePem] }).genTime).toEqual(at);
  });

  it('throws TSA_BAD_RESPONSE for another document or digest', () => {
    const response = stamp(identity);
    expect(() => verifyTimestampResponse(response, { data: 'another document', trustedPem: [root] })).toThrow(
      expect.objectContaining({ code: 'TSA_BAD_RESPONSE', message: expect.stringMatching(/not the given document/) }),
    );
    expect(() => verifyTimestampResponse(response, { digestHex: '00'.repeat(32), trustedPem: [root] })).toThrow(/not the given document/);
  });

  it('throws when the TSA does not chain to a trusted root', () => {
    const otherRoot = createTsaIdentity({ commonName: 'Someone Else' }).chainPem[0];
    expect(() => verifyTimestampResponse(stamp(identity), { data: document, trustedPem: [otherRoot] })).toThrow(
      expect.objectContaining({ code: 'TSA_BAD_RESPONSE', message: expect.stringMatching(/not trusted/) }),
    );
  });

  it('throws when the token was made outside the TSA certificate validity', () => {
    expect(() => verifyTimestampResponse(stamp(identity, { now: new Date('2027-01-01T00:00:00Z') }), { data: document, trustedPem: [root] })).toThrow(
      /not valid at 2027-01-01/,
    );
  });

  it('throws when the signer lacks a critical timeStamping key purpose, even if trusted', () => {
    const notTsa = identityWithNonCriticalPurpose();
    expect(() => verifyTimestampResponse(stamp(notTsa), { data: document, trustedPem: [notTsa.certificatePem] })).toThrow(/not a TSA certificate/);
  });

  it('throws TSA_BAD_RESPONSE when a byte of the token changes, and TSA_REJECTED for a rejection', () => {
    const response = stamp(identity);
    const tampered = Buffer.from(response);
    const at = tampered.indexOf(Buffer.from(digestHex, 'hex')) + 40;
    tampered[at] ^= 0x01;
    expect(() => verifyTimestampResponse(tampered, { data: document, trustedPem: [root] })).toThrow(expect.objectContaining({ code: 'TSA_BAD_RESPONSE' }));
    const rejection = new TimestampAuthority(identity).respond(Buffer.from('garbage'));
    expect(() => verifyTimestampResponse(rejection, { data: document, trustedPem: [root] })).toThrow(expect.objectContaining({ code: 'TSA_REJECTED' }));
  });
});
