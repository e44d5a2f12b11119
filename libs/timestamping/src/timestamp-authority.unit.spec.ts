import { createHash } from 'node:crypto';
import { der, flatten, Oid } from '@as2-partners/pki';
import { DEFAULT_TSA_POLICY } from './tsa-policy';
import { FailureInfo, PkiStatus } from './pki-status';
import { TimestampAuthority } from './timestamp-authority';
import { encodeTimestampRequest } from './timestamp-request';
import { decodeTimestampResponse } from './timestamp-response';
import { verifyTokenSignature } from './token-signature';
import { createTsaIdentity } from './tsa-identity';

const identity = createTsaIdentity({ now: new Date('2026-01-01T00:00:00Z') });
const genTime = new Date('2026-02-03T04:05:06.789Z');
const authority = new TimestampAuthority(identity, { now: () => genTime });
const imprint = createHash('sha256').update('evidence').digest();
const request = (overrides: Partial<Parameters<typeof encodeTimestampRequest>[0]> = {}): Buffer =>
  encodeTimestampRequest({ hashAlgorithmOid: Oid.sha256, hashedMessage: imprint, nonce: Buffer.from('0102030405060708', 'hex'), certReq: true, ...overrides });

describe('TimestampAuthority.respond', () => {
  it('grants a signed token that stamps the imprint, echoes the nonce and carries the configured time and policy', () => {
    const response = decodeTimestampResponse(authority.respond(request()));
    expect(response.status).toBe(PkiStatus.granted);
    const { tstInfo } = response.token!;
    expect(tstInfo.hashAlgorithmOid).toBe(Oid.sha256);
    expect(tstInfo.hashedMessage.equals(imprint)).toBe(true);
    expect(tstInfo.nonce?.toString('hex')).toBe('0102030405060708');
    expect(tstInfo.genTime.toISOString()).toBe(genTime.toISOString());
    expect(tstInfo.policy).toBe(DEFAULT_TSA_POLICY);
    expect(tstInfo.serialNumber).toMatch(/^[0-9a-f]{1,32}$/);
    expect(verifyTokenSignature(response.token!).certificate.subject).toContain('as2-partners Time-Stamp Authority');
  });

  it('includes the TSA certificate and its chain only when the request asks for them', () => {
    expect(decodeTimestampResponse(authority.respond(request())).token!.certificates).toHaveLength(2);
    expect(decodeTimestampResponse(authority.respond(request({ certReq: false }))).token!.certificates).toHaveLength(0);
  });

  it('uses the policy given in its options and accepts requests naming it', () => {
    const custom = new TimestampAuthority(identity, { policyOid: '1.2.3.4.5' });
    const response = decodeTimestampResponse(custom.respond(request({ policy: '1.2.3.4.5' })));
    expect(response.token!.tstInfo.policy).toBe('1.2.3.4.5');
  });

  it('gives every token its own serial number', () => {
    const serials = new Set(Array.from({ length: 50 }, () => decodeTimestampResponse(authority.respond(request())).token!.tstInfo.serialNumber));
    expect(serials.size).toBe(50);
  });

  const v1Imprint = der.sequence(der.algorithm(Oid.sha256), der.octetString(imprint));
  it.each([
    { what: 'bytes that are not DER', body: Buffer.from('garbage'), failure: 'badDataFormat' },
    { what: 'an empty body', body: Buffer.alloc(0), failure: 'badDataFormat' },
    { what: 'a version-2 request', body: der.sequence(der.integer(2), v1Imprint), failure: 'badDataFormat' },
    { what: 'an md5 imprint', body: request({ hashAlgorithmOid: '1.2.840.113549.2.5', hashedMessage: Buffer.alloc(16) }), failure: 'badAlg' },
    { what: 'a sha256 imprint of 20 bytes', body: request({ hashedMessage: Buffer.alloc(20) }), failure: 'badDataFormat' },
    { what: 'another policy', body: request({ policy: '1.2.3' }), failure: 'unacceptedPolicy' },
    { what: 'request extensions', body: der.sequence(der.integer(1), v1Imprint, der.implicitConstructed(0, der.sequence())), failure: 'unacceptedExtension' },
  ] as const)('rejects $what with failInfo $failure and no token', ({ body, failure }) => {
    const response = decodeTimestampResponse(authority.respond(flatten(body)));
    expect(response.status).toBe(PkiStatus.rejection);
    expect(response.failureBits).toEqual([FailureInfo[failure]]);
    expect(response.statusText.join(' ')).not.toBe('');
    expect(response.token).toBeUndefined();
  });

  it('measures tokens per second (reported, not asserted)', () => {
    const body = request();
    const count = 300;
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) authority.respond(body);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`TimestampAuthority.respond: ${Math.round(count / seconds)} tokens/s (${count} tokens, RSA-2048, certReq=true)\n`);
    expect(seconds).toBeGreaterThan(0);
  });
});
