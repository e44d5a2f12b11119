import { generateKeyPairSync } from 'node:crypto';
import { DomainError } from '@as2-partners/kernel';
import * as forge from 'node-forge';
import { issueTestCertificate, testChain, type TestCertificate, type TestCertificateOptions } from '@as2-partners/certificate-lifecycle-testing';
import { CertificateReadingErrorCode } from './certificate-reading.errors';
import { readCertificateUpload } from './read-certificate-upload';

const READING_CODES = [
  CertificateReadingErrorCode.CERTIFICATE_TOO_LARGE,
  CertificateReadingErrorCode.PRIVATE_KEY_NOT_ALLOWED,
  CertificateReadingErrorCode.INVALID_CERTIFICATE,
  CertificateReadingErrorCode.CERTIFICATE_TRAILING_DATA,
  CertificateReadingErrorCode.INVALID_CERTIFICATE_CHAIN,
  CertificateReadingErrorCode.CERTIFICATE_WEAK_SIGNATURE,
  CertificateReadingErrorCode.CERTIFICATE_WEAK_PUBLIC_EXPONENT,
  CertificateReadingErrorCode.CERTIFICATE_UNSUPPORTED_CRITICAL_EXTENSION,
  CertificateReadingErrorCode.CERTIFICATE_VALIDITY_OUT_OF_RANGE,
];

/** The DomainError readCertificateUpload raised, or a failure naming what else happened. */
function readingError(input: Buffer, options?: Parameters<typeof readCertificateUpload>[1]): DomainError {
  try {
    readCertificateUpload(input, options);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw new Error(`Expected a DomainError, got ${String(error)}`);
  }
  throw new Error('Expected the upload to be refused, but it was accepted');
}

function withSignatureByteFlipped(certificate: TestCertificate): TestCertificate {
  const der = Buffer.from(certificate.der);
  der[der.length - 10] ^= 0x01;
  return { ...certificate, der, pem: `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n` };
}

/** mulberry32: the fuzz corpus is the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('readCertificateUpload refuses hostile and broken uploads', () => {
  const selfSigned = issueTestCertificate({ commonName: 'Corpus Self-Signed' });
  const chain = testChain();

  describe('sizes', () => {
    it('given an empty upload, when read, then INVALID_CERTIFICATE', () => {
      expect(readingError(Buffer.alloc(0)).code).toBe('INVALID_CERTIFICATE');
    });

    it('given 1 MiB, when read, then CERTIFICATE_TOO_LARGE before any parsing', () => {
      const error = readingError(Buffer.alloc(1024 * 1024, 0x30));

      expect(error.code).toBe('CERTIFICATE_TOO_LARGE');
      expect(error.field).toBe('certificate');
    });

    it('given a lower maxBytes than the certificate, when read, then CERTIFICATE_TOO_LARGE', () => {
      expect(readingError(selfSigned.der, { maxBytes: 100 }).code).toBe('CERTIFICATE_TOO_LARGE');
    });

    it('given more certificates than maxChainLength, when read, then CERTIFICATE_TOO_LARGE', () => {
      expect(readingError(Buffer.from(chain.bundlePem), { maxChainLength: 2 }).code).toBe('CERTIFICATE_TOO_LARGE');
    });

    it('given text that is neither PEM nor DER, when read, then INVALID_CERTIFICATE', () => {
      expect(readingError(Buffer.from('hello, I am a certificate')).code).toBe('INVALID_CERTIFICATE');
    });
  });

  describe('deep nesting', () => {
    const depth = 100_000;

    function nestedDefiniteSequences(levels: number): Buffer {
      const headerLength = (contentLength: number) => (contentLength < 0x80 ? 2 : contentLength < 0x100 ? 3 : contentLength < 0x10000 ? 4 : 5);
      const lengths: number[] = [];
      let size = 0;
      for (let level = 0; level < levels; level++) {
        lengths.push(size);
        size += headerLength(size);
      }
      const out = Buffer.alloc(size);
      let offset = 0;
      for (let level = levels - 1; level >= 0; level--) {
        const length = lengths[level];
        out[offset++] = 0x30;
        if (length < 0x80) out[offset++] = length;
        else {
          const bytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : 3;
          out[offset++] = 0x80 | bytes;
          for (let i = bytes - 1; i >= 0; i--) out[offset++] = (length >> (8 * i)) & 0xff;
        }
      }
      return out;
    }

    it('given 100,000 nested definite-length SEQUENCEs within the size limit, when read, then a coded error having walked only the first 25 levels', () => {
      const nested = nestedDefiniteSequences(depth);
      let bytesRead = 0;
      const counted = new Proxy(nested, {
        get(target, key) {
          if (typeof key === 'string' && /^\d+$/.test(key)) bytesRead += 1;
          const value: unknown = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });

      const error = readingError(counted, { maxBytes: 1024 * 1024 });

      expect(error.code).toBe('INVALID_CERTIFICATE');
      expect(error.message).toMatch(/deeper than 24/);
      // A few header bytes for each level walked; the rest of the 483,402 are never read.
      expect(bytesRead).toBeLessThan(250);
    });

    it('given the same nesting under the default limit, when read, then CERTIFICATE_TOO_LARGE', () => {
      expect(readingError(nestedDefiniteSequences(depth)).code).toBe('CERTIFICATE_TOO_LARGE');
    });

    it('given 100,000 nested indefinite-length SEQUENCE headers, when read, then INVALID_CERTIFICATE (DER forbids them)', () => {
      const nested = Buffer.alloc(2 * depth);
      for (let i = 0; i < depth; i++) nested.set([0x30, 0x80], 2 * i);

      expect(readingError(nested).code).toBe('INVALID_CERTIFICATE');
    });

    it('given 25 levels of nesting inside a PEM block, when read, then INVALID_CERTIFICATE', () => {
      const nested = nestedDefiniteSequences(25);
      const pem = `-----BEGIN CERTIFICATE-----\n${nested.toString('base64')}\n-----END CERTIFICATE-----\n`;

      expect(readingError(Buffer.from(pem)).message).toMatch(/deeper than 24/);
    });

    it('given 24 levels of nesting, when read, then the structure passes the scanner and fails as not a certificate', () => {
      expect(readingError(nestedDefiniteSequences(24)).message).not.toMatch(/deeper/);
    });
  });

  describe('encodings other than DER', () => {
    it('given a certificate whose outer length is written in one more octet (BER, the same signed part), when read, then INVALID_CERTIFICATE: one certificate, one fingerprint', () => {
      const der = Buffer.from(selfSigned.der);
      // 30 82 LL LL → 30 83 00 LL LL: the same length, not in its shortest form.
      expect(der.subarray(0, 2)).toEqual(Buffer.from([0x30, 0x82]));
      const reencoded = Buffer.concat([Buffer.from([0x30, 0x83, 0x00]), der.subarray(2)]);
      const error = readingError(reencoded);
      expect([error.code, error.message]).toEqual(['INVALID_CERTIFICATE', 'The encoding writes a length in more octets than it needs, which DER forbids (re-encode it: openssl x509 -outform DER)']);
      expect(readCertificateUpload(der).chain).toEqual([]);
    });
  });

  describe('trailing data', () => {
    it('given DER followed by garbage, when read, then CERTIFICATE_TRAILING_DATA', () => {
      expect(readingError(Buffer.concat([selfSigned.der, Buffer.from('garbage')])).code).toBe('CERTIFICATE_TRAILING_DATA');
    });

    it('given DER followed by a second DER certificate, when read, then CERTIFICATE_TRAILING_DATA', () => {
      expect(readingError(Buffer.concat([selfSigned.der, chain.root.der])).code).toBe('CERTIFICATE_TRAILING_DATA');
    });

    it('given PEM followed by text, when read, then CERTIFICATE_TRAILING_DATA', () => {
      expect(readingError(Buffer.from(`${selfSigned.pem}rm -rf /\n`)).code).toBe('CERTIFICATE_TRAILING_DATA');
    });

    it('given PEM followed by NUL bytes, when read, then CERTIFICATE_TRAILING_DATA', () => {
      expect(readingError(Buffer.concat([Buffer.from(selfSigned.pem), Buffer.alloc(8)])).code).toBe('CERTIFICATE_TRAILING_DATA');
    });

    it('given PEM followed by whitespace only, when read, then it is accepted', () => {
      expect(readCertificateUpload(Buffer.from(`${selfSigned.pem}\n \t\r\n\n`)).chain).toEqual([]);
    });

    it('given a PEM block holding DER with trailing bytes, when read, then CERTIFICATE_TRAILING_DATA', () => {
      const der = Buffer.concat([selfSigned.der, Buffer.from([0, 0])]);

      expect(readingError(Buffer.from(`-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`)).code).toBe('CERTIFICATE_TRAILING_DATA');
    });
  });

  describe('private keys', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const keyCertificate = issueTestCertificate({ keyBits: 1024, commonName: 'Key Holder' });
    const forgeKey = forge.pki.privateKeyFromPem(keyCertificate.privateKeyPem);
    const pfx = Buffer.from(
      forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(forgeKey, [forge.pki.certificateFromPem(keyCertificate.pem)], 'secret', { algorithm: '3des' })).getBytes(),
      'binary',
    );
    const encryptedPkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString();
    const keys: [string, Buffer][] = [
      ['PKCS#1 PEM', Buffer.from(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }))],
      ['PKCS#1 DER', rsa.privateKey.export({ type: 'pkcs1', format: 'der' })],
      ['PKCS#8 PEM', Buffer.from(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }))],
      ['PKCS#8 DER', rsa.privateKey.export({ type: 'pkcs8', format: 'der' })],
      ['encrypted PKCS#8 PEM', Buffer.from(encryptedPkcs8)],
      ['encrypted PKCS#8 DER', rsa.privateKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'secret' })],
      ['EC SEC1 PEM', Buffer.from(ec.privateKey.export({ type: 'sec1', format: 'pem' }))],
      ['EC SEC1 DER', ec.privateKey.export({ type: 'sec1', format: 'der' })],
      ['EC PKCS#8 DER', ec.privateKey.export({ type: 'pkcs8', format: 'der' })],
      ['PKCS#12 PFX', pfx],
      ['certificate followed by its key', Buffer.from(keyCertificate.pem + keyCertificate.privateKeyPem)],
      ['key inside a CERTIFICATE label', Buffer.from(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/PRIVATE KEY/g, 'CERTIFICATE'))],
      ['key block without END line', Buffer.from(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().split('-----END')[0])],
    ];

    it.each(keys)('given %s, when read, then PRIVATE_KEY_NOT_ALLOWED without echoing key bytes', (_, upload) => {
      const error = readingError(upload);

      expect(error.code).toBe('PRIVATE_KEY_NOT_ALLOWED');
      const reported = `${error.message} ${JSON.stringify(error.details ?? {})}`;
      for (const keyText of [upload.toString('latin1'), upload.toString('base64'), upload.toString('hex')]) {
        for (let start = 0; start + 16 <= keyText.length; start += 16) {
          const chunk = keyText.slice(start, start + 16);
          if (/[A-Za-z0-9+/]{16}/.test(chunk)) expect(reported).not.toContain(chunk);
        }
      }
    });
  });

  it('given a PKCS#12 holding certificates only, when read, then refused as a PKCS#12 that may hold keys, never said to contain one', () => {
    const certificatesOnly = Buffer.from(forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(null, [forge.pki.certificateFromPem(selfSigned.pem)], '', { algorithm: '3des' })).getBytes(), 'binary');
    const error = readingError(certificatesOnly);
    expect(error.code).toBe('PRIVATE_KEY_NOT_ALLOWED');
    expect(error.message).toBe('The upload is a PKCS#12 (.p12/.pfx) file, which may hold private keys; upload only the X.509 certificate, as PEM or DER (nothing of it was stored)');
  });

  describe('other PEM types', () => {
    it('given a CSR, when read, then INVALID_CERTIFICATE naming the CERTIFICATE REQUEST block', () => {
      const key = forge.pki.privateKeyFromPem(issueTestCertificate({ keyBits: 1024 }).privateKeyPem) as forge.pki.rsa.PrivateKey;
      const csr = forge.pki.createCertificationRequest();
      csr.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
      csr.setSubject([{ shortName: 'CN', value: 'Would-be Partner' }]);
      csr.sign(key, forge.md.sha256.create());
      const pem = forge.pki.certificationRequestToPem(csr);

      const error = readingError(Buffer.from(pem));

      expect(error.code).toBe('INVALID_CERTIFICATE');
      expect(error.message).toContain('"CERTIFICATE REQUEST"');
      expect(readingError(Buffer.from(forge.asn1.toDer(forge.pki.certificationRequestToAsn1(csr)).getBytes(), 'binary')).code).toBe('INVALID_CERTIFICATE');
    });

    it.each(['PUBLIC KEY', 'PKCS7', 'X509 CRL'])('given a %s block, when read, then INVALID_CERTIFICATE naming it', (label) => {
      const error = readingError(Buffer.from(`-----BEGIN ${label}-----\nMAA=\n-----END ${label}-----\n`));

      expect(error.code).toBe('INVALID_CERTIFICATE');
      expect(error.message).toContain(`"${label}"`);
    });

    it('given a PEM block with a mismatched END line, when read, then INVALID_CERTIFICATE', () => {
      expect(readingError(Buffer.from(selfSigned.pem.replace('END CERTIFICATE', 'END X509 CRL'))).code).toBe('INVALID_CERTIFICATE');
    });

    it('given a PEM block with invalid base64, when read, then INVALID_CERTIFICATE', () => {
      const lines = selfSigned.pem.split('\n');
      lines[3] = `${lines[3].slice(0, 10)}!${lines[3].slice(11)}`;

      expect(readingError(Buffer.from(lines.join('\n'))).code).toBe('INVALID_CERTIFICATE');
    });
  });

  describe('chains', () => {
    it('given an intermediate with one signature byte flipped, when the bundle is read, then INVALID_CERTIFICATE_CHAIN', () => {
      const forged = withSignatureByteFlipped(chain.intermediates[0]);

      expect(readingError(Buffer.from(chain.leaf.pem + forged.pem + chain.root.pem)).code).toBe('INVALID_CERTIFICATE_CHAIN');
    });

    it('given a leaf with one signature byte flipped and its issuer uploaded, when read, then INVALID_CERTIFICATE_CHAIN', () => {
      const forged = withSignatureByteFlipped(chain.leaf);

      expect(readingError(Buffer.from(forged.pem + chain.intermediates[0].pem + chain.root.pem)).message).toMatch(/does not verify/);
    });

    it('given a root with a flipped signature byte, when the bundle is read, then INVALID_CERTIFICATE_CHAIN', () => {
      const forged = withSignatureByteFlipped(chain.root);

      expect(readingError(Buffer.from(chain.leaf.pem + chain.intermediates[0].pem + forged.pem)).code).toBe('INVALID_CERTIFICATE_CHAIN');
    });

    it('given a lone self-signed certificate with a flipped signature byte, when read, then INVALID_CERTIFICATE', () => {
      expect(readingError(withSignatureByteFlipped(selfSigned).der).code).toBe('INVALID_CERTIFICATE');
    });

    it('given a leaf issued by a look-alike CA with the same name but another key, when read, then INVALID_CERTIFICATE_CHAIN', () => {
      const impostor = issueTestCertificate({ commonName: 'Test Intermediate CA 1', organization: 'Test PKI', isCa: true, issuer: chain.root });

      expect(readingError(Buffer.from(chain.leaf.pem + impostor.pem + chain.root.pem)).code).toBe('INVALID_CERTIFICATE_CHAIN');
    });

    it('given two unrelated certificates, when read, then INVALID_CERTIFICATE_CHAIN (two leaves)', () => {
      expect(readingError(Buffer.from(selfSigned.pem + chain.leaf.pem)).message).toMatch(/2 unrelated leaf/);
    });

    it('given certificates that issue each other, when read, then INVALID_CERTIFICATE_CHAIN (cycle)', () => {
      const { first, second } = mutuallyIssuedPair();

      expect(readingError(Buffer.from(first.pem + second.pem)).message).toMatch(/cycle/);
    });

    it('given a chain plus a certificate not on the leaf path, when read, then INVALID_CERTIFICATE_CHAIN', () => {
      const { first, second } = mutuallyIssuedPair();

      expect(readingError(Buffer.from(chain.bundlePem + first.pem + second.pem)).message).toMatch(/not on the leaf/);
    });

    it('given a leaf signed by a certificate that is not a CA, when the bundle is read, then INVALID_CERTIFICATE_CHAIN', () => {
      const notCa = issueTestCertificate({ commonName: 'Ordinary Partner', isCa: false });
      const leaf = issueTestCertificate({ commonName: 'Sub Partner', issuer: notCa });

      expect(readingError(Buffer.from(leaf.pem + notCa.pem)).message).toMatch(/not a CA/);
    });

    it('given a CA whose keyUsage lacks keyCertSign, when it issues the leaf, then INVALID_CERTIFICATE_CHAIN', () => {
      const ca = issueTestCertificate({ commonName: 'Signing-only CA', isCa: true, keyUsage: ['digitalSignature'] });
      const leaf = issueTestCertificate({ commonName: 'Sub Partner', issuer: ca });

      expect(readingError(Buffer.from(leaf.pem + ca.pem)).message).toMatch(/keyCertSign/);
    });

    /** X issued by Y and Y issued by X: a cycle with no leaf. */
    function mutuallyIssuedPair(): { first: TestCertificate; second: TestCertificate } {
      const seed = issueTestCertificate({ commonName: 'Cycle Y', isCa: true });
      const first = issueTestCertificate({ commonName: 'Cycle X', isCa: true, issuer: seed });
      const second = issueTestCertificate({ commonName: 'Cycle Y', isCa: true, issuer: first });
      return { first, second };
    }
  });

  describe('weak or unusable certificates', () => {
    /** An extension value: DER NULL. */
    const NULL_VALUE = Buffer.from([0x05, 0x00]);

    // Key generation (DSA parameters above all) is slow on a loaded machine: fill the factory's key pool once, with its own budget.
    beforeAll(() => {
      const shapes: TestCertificateOptions[] = [{ publicExponent: 3 }, { keyType: 'dsa' }, { keyType: 'ec' }, { keyType: 'ed25519' }, { keyType: 'rsa-pss', issuer: chain.root }];
      for (const shape of shapes) for (let i = 0; i < 3; i++) issueTestCertificate(shape);
    }, 120_000);

    it('given a self-signed certificate signed with MD5, when read, then CERTIFICATE_WEAK_SIGNATURE naming it', () => {
      const error = readingError(issueTestCertificate({ commonName: 'MD5 Partner', signatureHash: 'md5' }).der);

      expect(error.code).toBe('CERTIFICATE_WEAK_SIGNATURE');
      expect(error.details).toEqual({ subject: 'CN=MD5 Partner', signature_algorithm: 'md5WithRSAEncryption' });
    });

    it('given a leaf signed with MD5 by an intermediate in a bundle, when read, then CERTIFICATE_WEAK_SIGNATURE', () => {
      const leaf = issueTestCertificate({ commonName: 'MD5 Leaf', issuer: chain.intermediates[0], signatureHash: 'md5' });

      expect(readingError(Buffer.from(leaf.pem + chain.intermediates[0].pem + chain.root.pem)).code).toBe('CERTIFICATE_WEAK_SIGNATURE');
    });

    it('given an intermediate signed with MD5, when the bundle is read, then CERTIFICATE_WEAK_SIGNATURE names the intermediate', () => {
      const intermediate = issueTestCertificate({ commonName: 'MD5 Intermediate', isCa: true, issuer: chain.root, signatureHash: 'md5' });
      const leaf = issueTestCertificate({ commonName: 'Fine Leaf', issuer: intermediate });

      expect(readingError(Buffer.from(leaf.pem + intermediate.pem + chain.root.pem)).details).toMatchObject({ subject: 'CN=MD5 Intermediate' });
    });

    it('given a bundle whose self-signed root signs itself with MD5, when read, then it is accepted (a root is trusted as a whole)', () => {
      const root = issueTestCertificate({ commonName: 'Old MD5 Root', isCa: true, signatureHash: 'md5' });
      const leaf = issueTestCertificate({ commonName: 'Leaf Under Old Root', issuer: root });

      expect(readCertificateUpload(Buffer.from(leaf.pem + root.pem)).chain.map((member) => member.subject)).toEqual(['CN=Old MD5 Root']);
    });

    it('given the same MD5 self-signed certificate twice in one bundle, when read, then it is still refused', () => {
      const md5 = issueTestCertificate({ commonName: 'Twice MD5', signatureHash: 'md5' });

      expect(readingError(Buffer.from(md5.pem + md5.pem)).code).toBe('CERTIFICATE_WEAK_SIGNATURE');
    });

    it('given a certificate whose signature algorithm is MD2 or MD4 (no longer computable), when read, then CERTIFICATE_WEAK_SIGNATURE, not a failed signature', () => {
      const md5 = issueTestCertificate({ commonName: 'MD4 Partner', signatureHash: 'md5' });
      for (const [from, to] of [['2a864886f70d010104', '2a864886f70d010103'], ['2a864886f70d010104', '2a864886f70d010102']]) {
        const der = Buffer.from(md5.der.toString('hex').split(from).join(to), 'hex');

        expect(readingError(der).code).toBe('CERTIFICATE_WEAK_SIGNATURE');
      }
    });

    it('given an RSA key with public exponent 3, when read, then CERTIFICATE_WEAK_PUBLIC_EXPONENT', () => {
      const error = readingError(issueTestCertificate({ commonName: 'Exponent Three', publicExponent: 3 }).der);

      expect(error.code).toBe('CERTIFICATE_WEAK_PUBLIC_EXPONENT');
      expect(error.details).toEqual({ subject: 'CN=Exponent Three', public_exponent: 3, minimum_public_exponent: 65537 });
    });

    it('given an issuer with public exponent 3 in the bundle, when read, then CERTIFICATE_WEAK_PUBLIC_EXPONENT', () => {
      const ca = issueTestCertificate({ commonName: 'Exponent Three CA', isCa: true, publicExponent: 3 });
      const leaf = issueTestCertificate({ commonName: 'Leaf', issuer: ca });

      expect(readingError(Buffer.from(leaf.pem + ca.pem)).details).toMatchObject({ subject: 'CN=Exponent Three CA' });
    });

    it('given an unknown critical extension, when read, then CERTIFICATE_UNSUPPORTED_CRITICAL_EXTENSION naming its OID', () => {
      const error = readingError(issueTestCertificate({ commonName: 'Odd Extension', extraExtensions: [{ oid: '1.3.6.1.4.1.99999.1', critical: true, value: NULL_VALUE }] }).der);

      expect(error.code).toBe('CERTIFICATE_UNSUPPORTED_CRITICAL_EXTENSION');
      expect(error.details).toEqual({ subject: 'CN=Odd Extension', extension: '1.3.6.1.4.1.99999.1' });
    });

    it('given a critical subjectDirectoryAttributes (RFC 5280 4.2.1.8: always non-critical), when read, then CERTIFICATE_UNSUPPORTED_CRITICAL_EXTENSION', () => {
      const directory = issueTestCertificate({ commonName: 'Critical Directory', extraExtensions: [{ oid: '2.5.29.9', critical: true, value: Buffer.from([0x30, 0x00]) }] });

      expect(readingError(directory.der).details).toMatchObject({ extension: '2.5.29.9' });
    });

    it.each([
      ['subjectAltName', '2.5.29.17', Buffer.from('3011820f706172746e65722e6578616d706c65', 'hex')],
      ['certificatePolicies', '2.5.29.32', Buffer.from('300630040602 2a03'.replace(/ /g, ''), 'hex')],
      ['extendedKeyUsage', '2.5.29.37', Buffer.from('300a06082b06010505070304', 'hex')],
    ])('given a critical %s (RFC 5280 4.2 requires validators to recognise it), when read, then it is accepted', (_, oid, value) => {
      expect(readCertificateUpload(issueTestCertificate({ extraExtensions: [{ oid, critical: true, value }] }).der).subject).toBe('CN=Test Certificate');
    });

    it('given an unknown non-critical extension, when read, then it is accepted', () => {
      expect(readCertificateUpload(issueTestCertificate({ extraExtensions: [{ oid: '1.3.6.1.4.1.99999.1', critical: false, value: NULL_VALUE }] }).der).chain).toEqual([]);
    });

    it.each([
      ['1969-12-31T23:59:59.000Z', 'UTCTime'],
      ['1950-01-01T00:00:00.000Z', 'UTCTime'],
      ['1900-06-01T00:00:00.000Z', 'GeneralizedTime'],
    ])('given validity starting %s (%s), when read, then CERTIFICATE_VALIDITY_OUT_OF_RANGE', (notBefore) => {
      const error = readingError(issueTestCertificate({ commonName: 'Time Traveller', notBefore: new Date(notBefore) }).der);

      expect(error.code).toBe('CERTIFICATE_VALIDITY_OUT_OF_RANGE');
      expect(error.details).toEqual({ subject: 'CN=Time Traveller', not_before: notBefore, earliest_not_before: '1970-01-01T00:00:00.000Z' });
    });

    it('given validity starting at 1970-01-01T00:00:00Z, when read, then it is accepted', () => {
      expect(readCertificateUpload(issueTestCertificate({ notBefore: new Date(0) }).der).notBefore).toBe('1970-01-01T00:00:00.000Z');
    });

    it('given SHA-1 signatures on the leaf and the intermediate but not the root, when read, then both subjects are reported for a warning', () => {
      const root = issueTestCertificate({ commonName: 'SHA-1 Root', isCa: true, signatureHash: 'sha1' });
      const intermediate = issueTestCertificate({ commonName: 'SHA-1 Intermediate', isCa: true, issuer: root, signatureHash: 'sha1' });
      const leaf = issueTestCertificate({ commonName: 'SHA-1 Leaf', issuer: intermediate, signatureHash: 'sha1' });

      const details = readCertificateUpload(Buffer.from(leaf.pem + intermediate.pem + root.pem));

      expect(details.signatureAlgorithm).toBe('sha1WithRSAEncryption');
      expect(details.sha1SignedSubjects).toEqual(['CN=SHA-1 Leaf', 'CN=SHA-1 Intermediate']);
    });

    it('given a SHA-256 certificate, when read, then no SHA-1 signature is reported', () => {
      expect(readCertificateUpload(selfSigned.der).sha1SignedSubjects).toEqual([]);
    });

    it('given an id-RSASSA-PSS key issued by an RSA CA, when read, then it is an RSA key marked PSS-only', () => {
      const details = readCertificateUpload(issueTestCertificate({ keyType: 'rsa-pss', issuer: chain.intermediates[0] }).der);

      expect(details).toMatchObject({ keyAlgorithm: 'RSA', keySize: 2048, rsaPssOnly: true });
      expect(readCertificateUpload(selfSigned.der).rsaPssOnly).toBe(false);
    });

    it.each([
      ['Ed25519', { keyType: 'ed25519' as const }, 'Ed25519'],
      ['DSA', { keyType: 'dsa' as const }, 'DSA'],
      ['EC', { keyType: 'ec' as const }, 'EC'],
    ])('given a self-signed %s certificate, when read, then it is read (its usage is judged at upload)', (_, options, keyAlgorithm) => {
      expect(readCertificateUpload(issueTestCertificate(options).der)).toMatchObject({ keyAlgorithm, selfSigned: true });
    });
  });

  describe('mangled DER (seeded fuzz)', () => {
    const issued = chain.leaf;
    const mutations: [string, (der: Buffer, random: () => number) => Buffer][] = [
      ['truncate', (der, random) => der.subarray(0, Math.floor(random() * der.length))],
      ['flip a byte', (der, random) => flip(der, Math.floor(random() * der.length), 1 + Math.floor(random() * 255))],
      ['flip a header byte', (der, random) => flip(der, headerOffsets(der)[Math.floor(random() * headerOffsets(der).length)], 1 + Math.floor(random() * 255))],
      ['insert random bytes', (der, random) => {
        const at = Math.floor(random() * der.length);
        return Buffer.concat([der.subarray(0, at), randomBytes(random, 1 + Math.floor(random() * 8)), der.subarray(at)]);
      }],
      ['delete a byte', (der, random) => {
        const at = Math.floor(random() * der.length);
        return Buffer.concat([der.subarray(0, at), der.subarray(at + 1)]);
      }],
      ['random bytes after a SEQUENCE tag', (_der, random) => Buffer.concat([Buffer.from([0x30]), randomBytes(random, Math.floor(random() * 1500))])],
    ];

    it.each(mutations)('given 100 "%s" mutations of a certificate, when read, then only coded DomainErrors or valid readings result', (_, mutate) => {
      const random = seededRandom(0xc3a7);
      const outcomes = new Map<string, number>();
      for (let run = 0; run < 100; run++) {
        for (const base of [issued.der, selfSigned.der]) {
          const input = mutate(base, random);
          let outcome: string;
          try {
            readCertificateUpload(input);
            outcome = 'accepted';
          } catch (error) {
            if (!(error instanceof DomainError)) throw new Error(`Mutation raised ${String(error)} for input ${input.toString('hex')}`);
            expect(READING_CODES).toContain(error.code);
            outcome = error.code;
          }
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        }
      }
      expect([...outcomes.keys()].some((outcome) => outcome !== 'accepted')).toBe(true);
    });

    it('given mutations of a PEM bundle, when read, then only coded DomainErrors or valid readings result', () => {
      const random = seededRandom(0x5eed);
      const bundle = Buffer.from(chain.bundlePem);
      for (let run = 0; run < 200; run++) {
        const input = flip(bundle, Math.floor(random() * bundle.length), 1 + Math.floor(random() * 255));
        try {
          readCertificateUpload(input);
        } catch (error) {
          if (!(error instanceof DomainError)) throw new Error(`Mutation raised ${String(error)}`);
          expect(READING_CODES).toContain(error.code);
        }
      }
    });

    function flip(der: Buffer, at: number, mask: number): Buffer {
      const copy = Buffer.from(der);
      copy[at] ^= mask;
      return copy;
    }

    function randomBytes(random: () => number, count: number): Buffer {
      return Buffer.from(Array.from({ length: count }, () => Math.floor(random() * 256)));
    }

    /** Offsets of tag and length octets of the certificate's top levels, where a flip changes the structure. */
    function headerOffsets(der: Buffer): number[] {
      const offsets: number[] = [];
      const walk = (start: number, end: number, depth: number) => {
        let position = start;
        while (position < end && depth < 4) {
          const first = der[position + 1];
          const lengthBytes = first < 0x80 ? 0 : first & 0x7f;
          let length = first < 0x80 ? first : 0;
          for (let i = 0; i < lengthBytes; i++) length = length * 256 + der[position + 2 + i];
          const contentStart = position + 2 + lengthBytes;
          for (let offset = position; offset < contentStart; offset++) offsets.push(offset);
          if (der[position] & 0x20) walk(contentStart, contentStart + length, depth + 1);
          position = contentStart + length;
        }
      };
      walk(0, der.length, 0);
      return offsets;
    }
  });
});
