import { DomainError } from '@as2-partners/kernel';
import type { CertificateDetails } from './certificate-details';
import { assertKeySizeFits } from './key-size.rule';
import { assertUsageFits } from './usage.rule';
import { assertValidAt } from './validity.rule';

function thrown(action: () => void): DomainError | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

function details(overrides: Partial<CertificateDetails>): CertificateDetails {
  return {
    subject: 'CN=Partner',
    issuer: 'CN=Partner',
    serial: '01',
    notBefore: '2025-01-01T00:00:00.000Z',
    notAfter: '2026-01-01T00:00:00.000Z',
    fingerprintSha1: 'a'.repeat(40),
    fingerprintSha256: 'b'.repeat(64),
    pem: '',
    keyAlgorithm: 'RSA',
    keySize: 2048,
    signatureAlgorithm: 'sha256WithRSAEncryption',
    keyUsage: null,
    extendedKeyUsage: null,
    isCa: false,
    selfSigned: true,
    chain: [],
    ...overrides,
  };
}

describe('assertKeySizeFits', () => {
  it.each([
    [1024, 'SHA1withRSA', undefined],
    [1023, 'SHA1withRSA', 1024],
    [1024, 'SHA256withRSA', 2048],
    [2048, 'SHA256withRSA', undefined],
    [1024, null, 2048],
    [2047, 'SHA512withRSA', 2048],
    [2048, null, undefined],
    [4096, 'SHA384withRSA', undefined],
  ])('given an RSA %i-bit key and sign algorithm %s, when checked, then the minimum is %s', (keySize, signAlgorithm, minimum) => {
    const error = thrown(() => assertKeySizeFits({ keyAlgorithm: 'RSA', keySize }, signAlgorithm));

    if (minimum === undefined) expect(error).toBeUndefined();
    else {
      expect(error?.code).toBe('CERTIFICATE_KEY_TOO_SMALL');
      expect(error?.details).toEqual({ key_size: keySize, minimum_key_size: minimum, sign_algorithm: signAlgorithm });
    }
  });

  it('given an EC 256-bit key, when checked against SHA256withRSA, then it passes (size rules are for RSA)', () => {
    expect(thrown(() => assertKeySizeFits({ keyAlgorithm: 'EC', keySize: 256 }, 'SHA256withRSA'))).toBeUndefined();
  });
});

describe('assertValidAt', () => {
  const window = { notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2026-01-01T00:00:00.000Z' };

  it('given a moment before notBefore, when checked, then CERTIFICATE_NOT_YET_VALID with the dates', () => {
    const error = thrown(() => assertValidAt(window, new Date('2024-12-31T23:59:59.999Z')));

    expect(error?.code).toBe('CERTIFICATE_NOT_YET_VALID');
    expect(error?.details).toEqual({ not_before: window.notBefore, expires_at: window.notAfter, at: '2024-12-31T23:59:59.999Z' });
  });

  it('given a moment after notAfter, when checked, then CERTIFICATE_EXPIRED', () => {
    expect(thrown(() => assertValidAt(window, new Date('2026-01-01T00:00:00.001Z')))?.code).toBe('CERTIFICATE_EXPIRED');
  });

  it.each(['2025-01-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'])('given %s inside the window (bounds included), when checked, then it passes', (at) => {
    expect(thrown(() => assertValidAt(window, new Date(at)))).toBeUndefined();
  });
});

describe('assertUsageFits', () => {
  it.each([
    ['encryption', 'RSA', ['keyEncipherment'], true],
    ['encryption', 'RSA', ['digitalSignature'], false],
    ['encryption', 'RSA', ['keyAgreement'], false],
    ['encryption', 'EC', ['keyAgreement'], true],
    ['encryption', 'EC', ['keyEncipherment'], false],
    ['signing', 'RSA', ['digitalSignature'], true],
    ['signing', 'RSA', ['nonRepudiation'], true],
    ['signing', 'RSA', ['keyEncipherment'], false],
    ['both', 'RSA', ['digitalSignature', 'keyEncipherment'], true],
    ['both', 'RSA', ['digitalSignature'], false],
    ['both', 'RSA', ['keyEncipherment'], false],
    ['tls', 'RSA', ['keyEncipherment'], true],
    ['tls', 'EC', ['digitalSignature'], true],
    ['tls', 'RSA', ['nonRepudiation'], false],
  ] as const)('given usage %s, a %s key and keyUsage %j, when checked, then fits is %s', (usage, keyAlgorithm, keyUsage, fits) => {
    const error = thrown(() => assertUsageFits(details({ keyAlgorithm, keyUsage: [...keyUsage] }), usage));

    expect(error === undefined).toBe(fits);
    if (error) {
      expect(error.code).toBe('CERTIFICATE_USAGE_MISMATCH');
      expect(error.details).toMatchObject({ usage, key_usage: keyUsage });
    }
  });

  it.each(['encryption', 'signing', 'both', 'tls'] as const)('given no keyUsage and no EKU, when checked for %s, then it fits', (usage) => {
    expect(thrown(() => assertUsageFits(details({}), usage))).toBeUndefined();
  });

  it.each([
    [['serverAuth'], true],
    [['clientAuth'], true],
    [['anyExtendedKeyUsage'], true],
    [['emailProtection'], false],
    [['emailProtection', 'clientAuth'], true],
  ])('given EKU %j, when checked for tls, then fits is %s', (extendedKeyUsage, fits) => {
    expect(thrown(() => assertUsageFits(details({ extendedKeyUsage }), 'tls')) === undefined).toBe(fits);
  });

  it('given an EKU without TLS purposes, when checked for signing, then EKU does not matter', () => {
    expect(thrown(() => assertUsageFits(details({ extendedKeyUsage: ['codeSigning'] }), 'signing'))).toBeUndefined();
  });
});
