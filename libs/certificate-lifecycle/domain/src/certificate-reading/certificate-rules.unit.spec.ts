import { DomainError } from '@as2-partners/kernel';
import type { CertificateUsage } from '../certificate-usage';
import type { CertificateDetails } from './certificate-details';
import { assertCriticalExtensionsRecognised } from './critical-extensions.rule';
import { assertKeySizeFits } from './key-size.rule';
import { assertKeyServesUsage } from './key-type.rule';
import { assertPublicExponentStrong } from './public-exponent.rule';
import { assertSignatureNotBroken, isSha1Signature } from './signature-strength.rule';
import { certificateWarnings, chainValidityWarning, duplicateCertificateWarning, leafValidityWarning } from './upload-warnings';
import { assertUsageFits } from './usage.rule';
import { assertValidAt, assertValidityStartsInUnixEra } from './validity.rule';

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
    rsaPssOnly: false,
    sha1SignedSubjects: [],
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

  it.each([
    [true, ['keyCertSign', 'cRLSign'], true],
    [true, ['cRLSign'], false],
    [false, ['keyCertSign', 'cRLSign'], false],
  ] as const)('given a CA %s with keyUsage %j, when checked for tls (an anchor of the partner\'s server chain), then fits is %s', (isCa, keyUsage, fits) => {
    expect(thrown(() => assertUsageFits(details({ isCa, keyUsage: [...keyUsage] }), 'tls')) === undefined).toBe(fits);
    // A CA is no AS2 end entity: its keyCertSign fits no other usage.
    expect(thrown(() => assertUsageFits(details({ isCa, keyUsage: [...keyUsage] }), 'signing'))).toBeDefined();
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

  it('given an EKU without S/MIME purposes that is not critical, when checked for signing or encryption, then it fits (partners use TLS certificates for AS2)', () => {
    for (const usage of ['signing', 'encryption', 'both'] as const) {
      expect(thrown(() => assertUsageFits(details({ extendedKeyUsage: ['codeSigning'] }), usage))).toBeUndefined();
      expect(thrown(() => assertUsageFits(details({ extendedKeyUsage: ['serverAuth', 'clientAuth'], extendedKeyUsageCritical: false }), usage))).toBeUndefined();
    }
  });

  it.each([
    [['codeSigning'], false],
    [['timeStamping'], false],
    [['serverAuth', 'clientAuth'], false],
    [['emailProtection'], true],
    [['anyExtendedKeyUsage'], true],
    [['codeSigning', 'emailProtection'], true],
  ])('given a critical EKU %j, when checked for signing, encryption and both, then fits is %s (RFC 5280: the key serves only its purposes)', (extendedKeyUsage, fits) => {
    for (const usage of ['signing', 'encryption', 'both'] as const) {
      const error = thrown(() => assertUsageFits(details({ extendedKeyUsage, extendedKeyUsageCritical: true }), usage));
      expect([usage, error === undefined]).toEqual([usage, fits]);
      if (!fits) expect(error).toMatchObject({ code: 'CERTIFICATE_USAGE_MISMATCH', details: { required: 'extendedKeyUsage emailProtection or anyExtendedKeyUsage' } });
    }
  });
});

describe('assertKeyServesUsage', () => {
  it.each([
    ['encryption', 'RSA', 'SHA256withRSA', undefined],
    ['encryption', 'EC', 'SHA256withRSA', 'RSA'],
    ['encryption', 'Ed25519', null, 'RSA'],
    ['encryption', 'DSA', 'SHA1withRSA', 'RSA'],
    ['both', 'RSA', 'SHA256withRSA', undefined],
    ['both', 'Ed25519', 'SHA256withRSA', 'RSA'],
    ['both', 'DSA', null, 'RSA'],
    ['signing', 'RSA', 'SHA512withRSA', undefined],
    ['signing', 'Ed25519', 'SHA256withRSA', 'RSA'],
    ['signing', 'DSA', 'SHA1withRSA', 'RSA'],
    ['signing', 'EC', null, 'RSA'],
    ['signing', 'EC', 'SHA256withECDSA', undefined],
    ['signing', 'RSA', 'SHA256withECDSA', 'EC'],
    ['tls', 'EC', 'SHA256withRSA', undefined],
    ['tls', 'Ed25519', 'SHA256withRSA', undefined],
    ['tls', 'RSA', null, undefined],
  ] as const)('given usage %s, a %s key and sign algorithm %s, when checked, then the key type required is %s', (usage, keyAlgorithm, signAlgorithm, required) => {
    const error = thrown(() => assertKeyServesUsage({ keyAlgorithm }, usage, signAlgorithm));

    if (required === undefined) expect(error).toBeUndefined();
    else {
      expect(error?.code).toBe('CERTIFICATE_USAGE_MISMATCH');
      expect(error?.field).toBe('certificate');
      expect(error?.details).toEqual({ usage, key_algorithm: keyAlgorithm, required_key_algorithm: required, sign_algorithm: signAlgorithm });
    }
  });

  it.each(['encryption', 'signing', 'both'] as const)('given an id-RSASSA-PSS key, when checked for %s, then refused: it can neither receive key transport nor make PKCS#1 v1.5 signatures', (usage) => {
    const error = thrown(() => assertKeyServesUsage({ keyAlgorithm: 'RSA', rsaPssOnly: true }, usage, 'SHA256withRSA'));

    expect(error?.details).toEqual({ usage, key_algorithm: 'RSA-PSS', required_key_algorithm: 'RSA', sign_algorithm: 'SHA256withRSA' });
  });

  it('given an id-RSASSA-PSS key, when checked for tls, then it passes', () => {
    expect(thrown(() => assertKeyServesUsage({ keyAlgorithm: 'RSA', rsaPssOnly: true }, 'tls', null))).toBeUndefined();
  });

  it('given a field name, when refused, then the error names that field (slot assignment refers to certificate_id)', () => {
    expect(thrown(() => assertKeyServesUsage({ keyAlgorithm: 'EC' }, 'encryption', null, 'certificate_id'))?.field).toBe('certificate_id');
  });
});

describe('assertSignatureNotBroken', () => {
  it.each([
    ['1.2.840.113549.1.1.2', 'MD2'],
    ['1.2.840.113549.1.1.3', 'MD4'],
    ['1.2.840.113549.1.1.4', 'MD5'],
    ['1.3.14.3.2.3', 'MD5'],
  ])('given the signature algorithm %s, when checked, then CERTIFICATE_WEAK_SIGNATURE names %s', (oid, digest) => {
    const error = thrown(() => assertSignatureNotBroken({ subject: 'CN=Old', signatureAlgorithm: oid, signatureAlgorithmOid: oid, signatureHashOid: null }));

    expect(error?.code).toBe('CERTIFICATE_WEAK_SIGNATURE');
    expect(error?.message).toContain(digest);
  });

  it.each(['1.2.840.113549.1.1.5', '1.2.840.113549.1.1.11', '1.2.840.10045.4.3.2', '1.3.101.112'])('given %s (SHA-1 warns elsewhere; others are fine), when checked, then it passes', (oid) => {
    expect(thrown(() => assertSignatureNotBroken({ subject: 'CN=Fine', signatureAlgorithm: oid, signatureAlgorithmOid: oid, signatureHashOid: null }))).toBeUndefined();
  });

  it.each([
    ['1.2.840.113549.1.1.5', true],
    ['1.3.14.3.2.29', true],
    ['1.2.840.10045.4.1', true],
    ['1.2.840.10040.4.3', true],
    ['1.2.840.113549.1.1.11', false],
  ])('given %s, when classified, then SHA-1 is %s', (oid, sha1) => {
    expect(isSha1Signature({ signatureAlgorithmOid: oid, signatureHashOid: null })).toBe(sha1);
  });
});

describe('an RSASSA-PSS signature: the digest its parameters name', () => {
  const PSS = '1.2.840.113549.1.1.10';
  it.each([
    ['1.2.840.113549.2.5', 'MD5'],
    ['1.2.840.113549.2.2', 'MD2'],
  ])('given PSS over %s, when checked, then CERTIFICATE_WEAK_SIGNATURE names %s', (hash, digest) => {
    const error = thrown(() => assertSignatureNotBroken({ subject: 'CN=Old', signatureAlgorithm: 'RSASSA-PSS', signatureAlgorithmOid: PSS, signatureHashOid: hash }));
    expect([error?.code, error?.message.includes(digest)]).toEqual(['CERTIFICATE_WEAK_SIGNATURE', true]);
  });

  it('given PSS over SHA-1 (its default) it warns, over SHA-256 it does not; neither is refused', () => {
    expect(isSha1Signature({ signatureAlgorithmOid: PSS, signatureHashOid: '1.3.14.3.2.26' })).toBe(true);
    expect(isSha1Signature({ signatureAlgorithmOid: PSS, signatureHashOid: '2.16.840.1.101.3.4.2.1' })).toBe(false);
    for (const hash of ['1.3.14.3.2.26', '2.16.840.1.101.3.4.2.1']) {
      expect(thrown(() => assertSignatureNotBroken({ subject: 'CN=Fine', signatureAlgorithm: 'RSASSA-PSS', signatureAlgorithmOid: PSS, signatureHashOid: hash }))).toBeUndefined();
    }
  });
});

describe('assertPublicExponentStrong', () => {
  it.each([
    [3n, true],
    [17n, true],
    [65535n, true],
    [65537n, false],
    [4294967297n, false],
    [null, false],
  ])('given public exponent %s, when checked, then refused is %s', (publicExponent, refused) => {
    const error = thrown(() => assertPublicExponentStrong({ subject: 'CN=Key', publicExponent }));

    expect(error?.code).toBe(refused ? 'CERTIFICATE_WEAK_PUBLIC_EXPONENT' : undefined);
  });
});

describe('assertCriticalExtensionsRecognised', () => {
  const extension = (critical: boolean) => ({ critical, value: Buffer.alloc(0) });

  it.each(['2.5.29.15', '2.5.29.32', '2.5.29.17', '2.5.29.19', '2.5.29.30', '2.5.29.36', '2.5.29.37', '2.5.29.54'])('given the RFC 5280 4.2 extension %s marked critical, when checked, then it passes', (oid) => {
    expect(thrown(() => assertCriticalExtensionsRecognised({ subject: 'CN=X', extensions: new Map([[oid, extension(true)]]) }))).toBeUndefined();
  });

  it.each(['2.5.29.14', '2.5.29.35', '2.5.29.31', '1.3.6.1.5.5.7.1.1', '1.2.3.4'])('given %s marked critical, when checked, then CERTIFICATE_UNSUPPORTED_CRITICAL_EXTENSION', (oid) => {
    const error = thrown(() => assertCriticalExtensionsRecognised({ subject: 'CN=X', extensions: new Map([[oid, extension(true)]]) }));

    expect(error?.code).toBe('CERTIFICATE_UNSUPPORTED_CRITICAL_EXTENSION');
    expect(error?.details).toEqual({ subject: 'CN=X', extension: oid });
  });

  it('given an unknown extension that is not critical, when checked, then it passes', () => {
    expect(thrown(() => assertCriticalExtensionsRecognised({ subject: 'CN=X', extensions: new Map([['1.2.3.4', extension(false)]]) }))).toBeUndefined();
  });
});

describe('assertValidityStartsInUnixEra', () => {
  it.each([
    ['1969-12-31T23:59:59.999Z', true],
    ['1950-01-01T00:00:00.000Z', true],
    ['1970-01-01T00:00:00.000Z', false],
    ['2025-01-01T00:00:00.000Z', false],
  ])('given notBefore %s, when checked, then refused is %s', (notBefore, refused) => {
    expect(thrown(() => assertValidityStartsInUnixEra({ subject: 'CN=X', notBefore }))?.code).toBe(refused ? 'CERTIFICATE_VALIDITY_OUT_OF_RANGE' : undefined);
  });
});

describe('certificateWarnings', () => {
  const codes = (overrides: Partial<CertificateDetails>, usage: CertificateUsage) => certificateWarnings(details(overrides), usage).map((warning) => warning.code);

  it('given a SHA-256, 2048-bit, end-entity certificate, when checked, then no warning', () => {
    expect(codes({}, 'both')).toEqual([]);
  });

  it('given SHA-1 signed subjects, when checked, then SHA1_SIGNATURE naming them', () => {
    const [warning] = certificateWarnings(details({ sha1SignedSubjects: ['CN=Old Partner'] }), 'signing');

    expect(warning.code).toBe('SHA1_SIGNATURE');
    expect(warning.message).toContain('"CN=Old Partner"');
  });

  it.each([
    ['encryption', true],
    ['signing', true],
    ['both', true],
    ['tls', false],
  ] as const)('given a CA certificate uploaded for %s, when checked, then CA_CERTIFICATE_AS_END_ENTITY is %s (a CA may anchor a TLS server chain)', (usage, warned) => {
    expect(codes({ isCa: true }, usage).includes('CA_CERTIFICATE_AS_END_ENTITY')).toBe(warned);
  });

  it.each([
    ['RSA', 1024, true],
    ['RSA', 2047, true],
    ['RSA', 2048, false],
    ['EC', 256, false],
  ] as const)('given a %s %i-bit key, when checked, then WEAK_RSA_KEY is %s', (keyAlgorithm, keySize, warned) => {
    expect(codes({ keyAlgorithm, keySize }, 'signing')).toEqual(warned ? ['WEAK_RSA_KEY'] : []);
  });

  it('given all three concerns, when checked, then one warning each, with a message each', () => {
    const warnings = certificateWarnings(details({ sha1SignedSubjects: ['CN=P'], isCa: true, keySize: 1024 }), 'both');

    expect(warnings.map((warning) => warning.code)).toEqual(['SHA1_SIGNATURE', 'CA_CERTIFICATE_AS_END_ENTITY', 'WEAK_RSA_KEY']);
    for (const warning of warnings) expect(Object.keys(warning).sort()).toEqual(['code', 'message']);
  });
});

describe('duplicateCertificateWarning', () => {
  it('given no certificate with the same fingerprint, when checked, then null', () => {
    expect(duplicateCertificateWarning([])).toBeNull();
  });

  it('given stored certificates with the same fingerprint, when checked, then DUPLICATE_CERTIFICATE naming their ids', () => {
    const warning = duplicateCertificateWarning([{ id: 'cert_A', name: 'Acme 2025' }]);

    expect(warning?.code).toBe('DUPLICATE_CERTIFICATE');
    expect(warning?.message).toContain('cert_A ("Acme 2025")');
  });

  it('given thousands of stored copies, when checked, then it names the first ten and counts the rest: an answer stays small', () => {
    const stored = Array.from({ length: 11 }, (_, i) => ({ id: `cert_${i}`, name: `copy ${i}` }));
    const warning = duplicateCertificateWarning(stored, 3000);

    expect(warning?.message).toBe(`The same certificate (SHA-256 fingerprint) is already stored as ${stored.slice(0, 10).map((c) => `${c.id} ("${c.name}")`).join(', ')} and 2990 more`);
  });
});

describe('chainValidityWarning', () => {
  const member = (subject: string, notBefore: string, notAfter: string) => ({ ...details({ subject }), notBefore, notAfter });
  const now = new Date('2026-06-01T00:00:00.000Z');

  it('given a chain valid now, when checked, then no warning; nor for no chain', () => {
    expect(chainValidityWarning([member('CN=Int', '2025-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z')], now)).toBeNull();
    expect(chainValidityWarning([], now)).toBeNull();
  });

  it('given a certificate expired or not yet valid itself, when checked, then CERTIFICATE_NOT_VALID_NOW: stored, in no slot; none for one valid now', () => {
    const warnings = [
      leafValidityWarning({ notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2021-01-01T00:00:00.000Z' }, now),
      leafValidityWarning({ notBefore: '2029-01-01T00:00:00.000Z', notAfter: '2031-01-01T00:00:00.000Z' }, now),
      leafValidityWarning({ notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2040-01-01T00:00:00.000Z' }, now),
    ];
    expect(warnings).toEqual([
      { code: 'CERTIFICATE_NOT_VALID_NOW', message: expect.stringMatching(/^The certificate expired at 2021-01-01T00:00:00.000Z: it is stored, but it fills no empty slot/) },
      { code: 'CERTIFICATE_NOT_VALID_NOW', message: expect.stringMatching(/^The certificate is valid only from 2029-01-01T00:00:00.000Z: it is stored/) },
      null,
    ]);
  });

  it('given an expired and a not-yet-valid member, when checked, then CHAIN_CERTIFICATE_NOT_VALID naming both', () => {
    const warning = chainValidityWarning(
      [member('CN=Old Int', '2020-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z'), member('CN=Root', '2020-01-01T00:00:00.000Z', '2040-01-01T00:00:00.000Z'), member('CN=Future Int', '2029-01-01T00:00:00.000Z', '2031-01-01T00:00:00.000Z')],
      now,
    );
    expect(warning?.code).toBe('CHAIN_CERTIFICATE_NOT_VALID');
    expect(warning?.message).toContain('"CN=Old Int" expired at 2021-01-01T00:00:00.000Z; "CN=Future Int" is valid only from 2029-01-01T00:00:00.000Z');
    expect(warning?.message).not.toContain('CN=Root');
  });
});
