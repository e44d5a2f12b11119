import { execFileSync, spawnSync } from 'node:child_process';
import crypto, { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as forge from 'node-forge';
import { KeyedMutex } from '@as2-partners/kernel';
import { certificationRequestOf, generateKeyMaterial, parseSubject, readPemKey, readPkcs12 } from './key-material';
import { pkcs12OfEncryptedParts, pkcs12WithKeyBagInsideEncryptedContent } from './nested-key-bag.spec-support';

// Key files made by an implementation nobody here wrote: the openssl binary.
const dir = mkdtempSync(join(tmpdir(), 'keystore-material-'));
const path = (name: string) => join(dir, name);
const openssl = (...args: string[]): Buffer => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path('key.pem'), '-out', path('cert.pem'), '-days', '30', '-subj', '/CN=Imported AS2/O=Acme');
openssl('pkcs12', '-export', '-inkey', path('key.pem'), '-in', path('cert.pem'), '-out', path('modern.p12'), '-passout', 'pass:s3cret');
openssl('pkcs12', '-export', '-legacy', '-inkey', path('key.pem'), '-in', path('cert.pem'), '-out', path('legacy.p12'), '-passout', 'pass:s3cret');
openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', path('ec.pem'));
openssl('req', '-x509', '-key', path('ec.pem'), '-out', path('ec-cert.pem'), '-days', '30', '-subj', '/CN=EC');
openssl('pkcs12', '-export', '-inkey', path('ec.pem'), '-in', path('ec-cert.pem'), '-out', path('ec.p12'), '-passout', 'pass:x');
openssl('pkcs12', '-export', '-inkey', path('key.pem'), '-in', path('cert.pem'), '-out', path('costly.p12'), '-passout', 'pass:x', '-iter', '2000000');
openssl('pkcs12', '-export', '-inkey', path('key.pem'), '-in', path('cert.pem'), '-out', path('java-like.p12'), '-passout', 'pass:x', '-iter', '10000', '-maciter');
// Non-ASCII passwords: the MAC and legacy PBEs take them as a BMPString, PBES2 (AES) as UTF-8 bytes; openssl 3 writes both.
const UNICODE_PASSWORD = 'pässwörd';
const exportUnicode = (name: string, password: string, ...options: string[]) =>
  openssl('pkcs12', '-export', '-inkey', path('key.pem'), '-in', path('cert.pem'), '-out', path(name), '-passout', `pass:${password}`, ...options);
exportUnicode('unicode.p12', UNICODE_PASSWORD);
exportUnicode('unicode-aes.p12', UNICODE_PASSWORD, '-certpbe', 'AES-256-CBC', '-keypbe', 'AES-256-CBC');
exportUnicode('unicode-legacy.p12', UNICODE_PASSWORD, '-legacy');
exportUnicode('unicode-mixed.p12', UNICODE_PASSWORD, '-keypbe', 'PBE-SHA1-3DES');
exportUnicode('astral.p12', 'пароль🔑');
// No MAC (-nomac): a wrong password shows only as encrypted content that decrypts to garbage.
openssl('pkcs12', '-export', '-nomac', '-inkey', path('key.pem'), '-in', path('cert.pem'), '-out', path('nomac.p12'), '-passout', 'pass:s3cret');
openssl('pkcs12', '-export', '-nomac', '-legacy', '-inkey', path('key.pem'), '-in', path('cert.pem'), '-out', path('nomac-legacy.p12'), '-passout', 'pass:s3cret');
// Encrypted PKCS#8 keys: PBKDF2 at openssl's count, at a costly one, and scrypt.
const encryptKey = (name: string, ...options: string[]) => openssl('pkcs8', '-topk8', '-in', path('key.pem'), '-out', path(name), '-passout', 'pass:pw', ...options);
encryptKey('key-2048.pem', '-v2', 'aes-256-cbc', '-iter', '2048');
encryptKey('key-costly.pem', '-v2', 'aes-256-cbc', '-iter', '300000');
encryptKey('key-scrypt.pem', '-scrypt');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spkiOf = (pem: string) => createPublicKey(pem).export({ format: 'der', type: 'spki' });

/** The iteration counts forge's key derivations (PBKDF2; the PKCS#12 KDF of the MAC and legacy PBEs) are asked to run while `read` runs, sorted. */
function iterationsDerivedDuring(read: () => void): number[] {
  type Kdf = (...args: unknown[]) => unknown;
  const pbe = (forge.pki as unknown as { pbe: { generatePkcs12Key: Kdf } }).pbe;
  const derivations = [
    { spy: jest.spyOn(forge.pkcs5 as unknown as { pbkdf2: Kdf }, 'pbkdf2'), iterationsAt: 2 },
    { spy: jest.spyOn(pbe, 'generatePkcs12Key'), iterationsAt: 3 },
    { spy: jest.spyOn(forge.pkcs12 as unknown as { generateKey: Kdf }, 'generateKey'), iterationsAt: 3 },
  ];
  try {
    read();
    return derivations.flatMap(({ spy, iterationsAt }) => spy.mock.calls.map((args) => args[iterationsAt] as number)).sort((a, b) => a - b);
  } finally {
    for (const { spy } of derivations) spy.mockRestore();
  }
}

describe('key material (PKCS#12, PEM, generation, CSR) against openssl', () => {
  it("derives a PKCS#12 file's PBES2 keys with OpenSSL's PBKDF2, not forge's JavaScript (~0.4 s for 10,000 SHA-384 iterations on the event loop)", () => {
    exportUnicode('sha384.p12', 's3cret', '-certpbe', 'AES-256-CBC', '-keypbe', 'AES-256-CBC', '-iter', '10000', '-macalg', 'sha384');
    // forge's PBKDF2 in JavaScript makes an HMAC for each derivation; the file's MAC check makes the only one left.
    const hmacs = jest.spyOn(forge.hmac, 'create');
    try {
      const material = readPkcs12(readFileSync(path('sha384.p12')), 's3cret');
      expect(createPublicKey(material.privateKey).export({ format: 'der', type: 'spki' })).toEqual(spkiOf(readFileSync(path('cert.pem'), 'utf8')));
      expect(iterationsDerivedDuring(() => readPkcs12(readFileSync(path('sha384.p12')), 's3cret'))).toEqual([10000, 10000, 10000]);
      expect(hmacs).toHaveBeenCalledTimes(2);
    } finally {
      hmacs.mockRestore();
    }
  });

  it.each(['modern.p12', 'legacy.p12'])('reads an openssl %s with its password: the key belongs to the certificate', (name) => {
    const material = readPkcs12(readFileSync(path(name)), 's3cret');
    expect(material.certificate.subject).toBe('O=Acme, CN=Imported AS2');
    expect(createPublicKey(material.privateKey).export({ format: 'der', type: 'spki' })).toEqual(spkiOf(readFileSync(path('cert.pem'), 'utf8')));
  });

  it('refuses a wrong password, garbage, a truncated file, a huge file and a non-RSA key with their codes', () => {
    const file = readFileSync(path('modern.p12'));
    expect(() => readPkcs12(file, 'wrong')).toThrow(expect.objectContaining({ code: 'WRONG_PASSWORD' }));
    expect(() => readPkcs12(Buffer.from('not a pfx at all'), 'x')).toThrow(expect.objectContaining({ code: 'INVALID_PKCS12' }));
    expect(() => readPkcs12(file.subarray(0, file.length - 40), 's3cret')).toThrow(expect.objectContaining({ code: 'INVALID_PKCS12' }));
    expect(() => readPkcs12(Buffer.concat([Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]), Buffer.alloc(200)]), 'x')).toThrow(expect.objectContaining({ code: 'INVALID_PKCS12' }));
    expect(() => readPkcs12(Buffer.alloc(70_000, 0x30), 'x')).toThrow(expect.objectContaining({ code: 'KEY_FILE_TOO_LARGE' }));
    // Named by the file's field, as every other file error: a client reads errors.pkcs12.
    expect(() => readPkcs12(readFileSync(path('ec.p12')), 'x')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_KEY', field: 'pkcs12' }));
  });

  it("reads a PKCS#12 whose certificate is signed with RSASSA-PSS (a plain RSA key) as the same key and certificate in PEM: the certificate's own bytes", () => {
    openssl('req', '-x509', '-key', path('key.pem'), '-out', path('pss-signed.pem'), '-days', '30', '-subj', '/CN=PSS Signed', '-sha256', '-sigopt', 'rsa_padding_mode:pss');
    openssl('pkcs12', '-export', '-inkey', path('key.pem'), '-in', path('pss-signed.pem'), '-out', path('pss-signed.p12'), '-passout', 'pass:pw');
    const fromP12 = readPkcs12(readFileSync(path('pss-signed.p12')), 'pw');
    const fromPem = readPemKey(readFileSync(path('key.pem'), 'utf8'), readFileSync(path('pss-signed.pem'), 'utf8'), null);
    expect(fromP12.certificate.fingerprintSha256).toBe(fromPem.certificate.fingerprintSha256);
    expect(fromP12.certificate.signatureAlgorithm).toBe(fromPem.certificate.signatureAlgorithm);
  });

  it('refuses an RSA-PSS key (id-RSASSA-PSS) as UNSUPPORTED_KEY, from a PKCS#12 file as from PEM, not as a key of another certificate', () => {
    openssl('req', '-x509', '-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048', '-nodes', '-keyout', path('pss.key'), '-out', path('pss.pem'), '-subj', '/CN=PSS', '-days', '30');
    openssl('pkcs12', '-export', '-inkey', path('pss.key'), '-in', path('pss.pem'), '-out', path('pss.p12'), '-passout', 'pass:pw');
    expect(() => readPkcs12(readFileSync(path('pss.p12')), 'pw')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_KEY', field: 'pkcs12' }));
    expect(() => readPemKey(readFileSync(path('pss.key'), 'utf8'), readFileSync(path('pss.pem'), 'utf8'), null)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_KEY', field: 'private_key' }));
  });

  it.each(['nomac.p12', 'nomac-legacy.p12'])('reads %s (no MAC) with its password and refuses a wrong one as WRONG_PASSWORD, not as an unreadable file', (name) => {
    const file = readFileSync(path(name));
    expect(readPkcs12(file, 's3cret').certificate.subject).toBe('O=Acme, CN=Imported AS2');
    for (const wrong of ['wrong', 's3cre', '']) expect(() => readPkcs12(file, wrong)).toThrow(expect.objectContaining({ code: 'WRONG_PASSWORD' }));
  });

  it.each([
    ['unicode.p12', UNICODE_PASSWORD],
    ['unicode-aes.p12', UNICODE_PASSWORD],
    ['unicode-legacy.p12', UNICODE_PASSWORD],
    ['unicode-mixed.p12', UNICODE_PASSWORD],
    ['astral.p12', 'пароль🔑'],
  ])('reads an openssl %s with its non-ASCII password', (name, password) => {
    const material = readPkcs12(readFileSync(path(name)), password);
    expect(createPublicKey(material.privateKey).export({ format: 'der', type: 'spki' })).toEqual(spkiOf(readFileSync(path('cert.pem'), 'utf8')));
  });

  it.each(['unicode.p12', 'unicode-aes.p12', 'unicode-legacy.p12'])('refuses %s with a wrong non-ASCII password as WRONG_PASSWORD', (name) => {
    const file = readFileSync(path(name));
    for (const wrong of ['passwörd', 'pässwörd ', 'pässword', 'p\u00e4sswo\u0308rd']) {
      expect(() => readPkcs12(file, wrong)).toThrow(expect.objectContaining({ code: 'WRONG_PASSWORD' }));
    }
    // A failed read leaves forge as it was: the right password still reads the file.
    expect(readPkcs12(file, UNICODE_PASSWORD).certificate.subject).toBe('O=Acme, CN=Imported AS2');
  });

  it('refuses, before deriving any key, a file that asks for millions of iterations; reads one at the ceiling', () => {
    const refused = iterationsDerivedDuring(() => {
      expect(() => readPkcs12(readFileSync(path('costly.p12')), 'x')).toThrow(expect.objectContaining({ code: 'INVALID_PKCS12', message: expect.stringContaining('iterations') }));
    });
    expect(refused).toEqual([]);
    const read = iterationsDerivedDuring(() => expect(readPkcs12(readFileSync(path('java-like.p12')), 'x').certificate.subject).toBe('O=Acme, CN=Imported AS2'));
    expect(Math.max(...read)).toBe(10_000);
  });

  it('refuses a key bag inside encrypted content that asks for more iterations, before deriving its key; reads one at 2048', () => {
    const [key, certificate] = [readFileSync(path('key.pem'), 'utf8'), readFileSync(path('cert.pem'), 'utf8')];
    expect(readPkcs12(pkcs12WithKeyBagInsideEncryptedContent(key, certificate, 'pw', 2048), 'pw').certificate.subject).toBe('O=Acme, CN=Imported AS2');
    const costly = pkcs12WithKeyBagInsideEncryptedContent(key, certificate, 'pw', 300_000);
    const derived = iterationsDerivedDuring(() => {
      expect(() => readPkcs12(costly, 'pw')).toThrow(expect.objectContaining({ code: 'INVALID_PKCS12', message: expect.stringContaining('iterations') }));
    });
    // Only the MAC and the outer part derived; the key bag's 300,000 never ran.
    expect(derived).toEqual([2048, 2048]);
  });

  it('refuses, before deriving any key, a file of many encrypted parts each within the per-derivation limit (their sum is not)', () => {
    const file = pkcs12OfEncryptedParts(50, 10_000, 'pw');
    const derived = iterationsDerivedDuring(() => {
      expect(() => readPkcs12(file, 'pw')).toThrow(expect.objectContaining({ code: 'INVALID_PKCS12', message: expect.stringContaining('in all') }));
    });
    expect(derived).toEqual([]);
    // Seven parts at 10,000 are past the 60,000 in all as well; six are within it (and read: they decrypt to nothing usable).
    expect(() => readPkcs12(pkcs12OfEncryptedParts(7, 10_000, 'pw'), 'pw')).toThrow(expect.objectContaining({ message: expect.stringContaining('in all') }));
    expect(() => readPkcs12(pkcs12OfEncryptedParts(6, 10_000, 'pw'), 'pw')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('in all') }));
  });

  it('stops deriving once the key bags only decrypted parts show ask for more than the limit in all', () => {
    const [key, certificate] = [readFileSync(path('key.pem'), 'utf8'), readFileSync(path('cert.pem'), 'utf8')];
    const file = pkcs12WithKeyBagInsideEncryptedContent(key, certificate, 'pw', 10_000, 8);
    const derived = iterationsDerivedDuring(() => {
      expect(() => readPkcs12(file, 'pw')).toThrow(expect.objectContaining({ code: 'INVALID_PKCS12', message: expect.stringContaining('in all') }));
    });
    // The MAC, the outer part and five key bags (54,096 in all); the sixth and the rest never ran.
    expect(derived).toEqual([2048, 2048, 10_000, 10_000, 10_000, 10_000, 10_000]);
  });

  it('reads an encrypted PEM key at openssl\'s iteration count; refuses, before deriving, a costly count and scrypt', () => {
    const certificate = readFileSync(path('cert.pem'), 'utf8');
    expect(readPemKey(readFileSync(path('key-2048.pem'), 'utf8'), certificate, 'pw').certificate.subject).toBe('O=Acme, CN=Imported AS2');
    expect(() => readPemKey(readFileSync(path('key-2048.pem'), 'utf8'), certificate, 'wrong')).toThrow(expect.objectContaining({ code: 'WRONG_PASSWORD' }));
    // OpenSSL derives the key inside createPrivateKey: the refused keys never reach it.
    const keysRead = jest.spyOn(crypto, 'createPrivateKey');
    try {
      expect(() => readPemKey(readFileSync(path('key-costly.pem'), 'utf8'), certificate, 'pw')).toThrow(expect.objectContaining({ code: 'INVALID_PRIVATE_KEY', message: expect.stringContaining('iterations') }));
      expect(() => readPemKey(readFileSync(path('key-scrypt.pem'), 'utf8'), certificate, 'pw')).toThrow(expect.objectContaining({ code: 'INVALID_PRIVATE_KEY', message: expect.stringContaining('scrypt') }));
      expect(keysRead).not.toHaveBeenCalled();
    } finally {
      keysRead.mockRestore();
    }
  });

  it('reads a PEM key with its certificate, and refuses a key that is not the certificate\'s', () => {
    const material = readPemKey(readFileSync(path('key.pem'), 'utf8'), readFileSync(path('cert.pem'), 'utf8'), null);
    expect(material.certificate.subject).toBe('O=Acme, CN=Imported AS2');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => readPemKey(other, readFileSync(path('cert.pem'), 'utf8'), null)).toThrow(expect.objectContaining({ code: 'KEY_CERTIFICATE_MISMATCH' }));
    expect(() => readPemKey('garbage', readFileSync(path('cert.pem'), 'utf8'), null)).toThrow(expect.objectContaining({ code: 'INVALID_PRIVATE_KEY' }));
  });

  it('refuses a certificate field of more than 10 certificates before reading any of them (1,260 empty blocks held the event loop 1.7 s)', () => {
    const key = readFileSync(path('key.pem'), 'utf8');
    const certificate = readFileSync(path('cert.pem'), 'utf8');
    const empty = '-----BEGIN CERTIFICATE----------END CERTIFICATE-----';
    const keysRead = jest.spyOn(crypto, 'createPublicKey');
    try {
      expect(() => readPemKey(key, empty.repeat(1_260), null)).toThrow(expect.objectContaining({ code: 'CERTIFICATE_TOO_LARGE', field: 'certificate', details: { max_certificates: 10 } }));
      expect(() => readPemKey(key, certificate.repeat(11), null)).toThrow(expect.objectContaining({ code: 'CERTIFICATE_TOO_LARGE' }));
      // The private key's own public key is worked out; no certificate's is.
      expect(keysRead.mock.calls.filter(([input]) => JSON.stringify(input).includes('CERTIFICATE'))).toEqual([]);
    } finally {
      keysRead.mockRestore();
    }
    // Ten blocks are read: the empty ones are then refused for what they hold.
    expect(() => readPemKey(key, certificate + empty.repeat(9), null)).toThrow(expect.objectContaining({ code: 'INVALID_CERTIFICATE' }));
  });

  it('refuses a key whose certificate forbids signing or encryption (keyUsage keyCertSign only), as an upload for both is refused', () => {
    openssl('req', '-x509', '-key', path('key.pem'), '-out', path('ca-only.pem'), '-days', '30', '-subj', '/CN=CA only', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
    expect(() => readPemKey(readFileSync(path('key.pem'), 'utf8'), readFileSync(path('ca-only.pem'), 'utf8'), null)).toThrow(expect.objectContaining({ code: 'CERTIFICATE_USAGE_MISMATCH', field: 'certificate' }));
    openssl('req', '-x509', '-key', path('key.pem'), '-out', path('both.pem'), '-days', '30', '-subj', '/CN=Both', '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment');
    expect(readPemKey(readFileSync(path('key.pem'), 'utf8'), readFileSync(path('both.pem'), 'utf8'), null).certificate.subject).toBe('CN=Both');
  });

  it('refuses a key whose private parts are damaged though its public ones match the certificate', () => {
    const jwk = crypto.createPrivateKey(readFileSync(path('key.pem'), 'utf8')).export({ format: 'jwk' });
    // One changed character of the private exponent and of a prime: the modulus and exponent still name the certificate's key.
    const flip = (value: string) => `${value.slice(0, 10)}${value[10] === 'A' ? 'B' : 'A'}${value.slice(11)}`;
    const damaged = crypto.createPrivateKey({ key: { ...jwk, d: flip(jwk.d as string), p: flip(jwk.p as string) }, format: 'jwk' }).export({ format: 'pem', type: 'pkcs8' }).toString();
    // Its public key is the certificate's: no mismatch to find there.
    expect(spkiOf(damaged).equals(spkiOf(readFileSync(path('cert.pem'), 'utf8')))).toBe(true);
    expect(() => readPemKey(damaged, readFileSync(path('cert.pem'), 'utf8'), null)).toThrow(expect.objectContaining({ code: 'INVALID_PRIVATE_KEY', field: 'private_key' }));
  });

  it('refuses a key with one damaged part that OpenSSL signs with all the same (it redoes a wrong CRT result with d), as openssl rsa -check does', () => {
    const jwk = crypto.createPrivateKey(readFileSync(path('key.pem'), 'utf8')).export({ format: 'jwk' });
    const plus = (value: string, add: bigint) => Buffer.from((BigInt(`0x${Buffer.from(value, 'base64url').toString('hex')}`) + add).toString(16).padStart(2 * Buffer.from(value, 'base64url').length, '0'), 'hex').toString('base64url');
    const certificate = readFileSync(path('cert.pem'), 'utf8');
    const refused = (['d', 'dp', 'dq', 'qi'] as const).map((part) => {
      const pem = crypto.createPrivateKey({ key: { ...jwk, [part]: plus(jwk[part] as string, 2n) }, format: 'jwk' }).export({ format: 'pem', type: 'pkcs8' }).toString();
      writeFileSync(path(`damaged-${part}.pem`), pem);
      // Its verdict is in what it prints ("RSA key ok" / "RSA key not ok"); OpenSSL 3.0 exits 0 either way.
      const verdict = /^RSA key ok$/m.test(spawnSync('openssl', ['rsa', '-check', '-noout', '-in', path(`damaged-${part}.pem`)], { encoding: 'utf8' }).stdout) ? 'ok' : 'not ok';
      try {
        readPemKey(pem, certificate, null);
        return `${part}: taken (openssl ${verdict})`;
      } catch (error) {
        return `${part}: ${(error as { code?: string }).code} (openssl ${verdict})`;
      }
    });
    expect(refused).toEqual(['d: INVALID_PRIVATE_KEY (openssl not ok)', 'dp: INVALID_PRIVATE_KEY (openssl not ok)', 'dq: INVALID_PRIVATE_KEY (openssl not ok)', 'qi: INVALID_PRIVATE_KEY (openssl not ok)']);
    expect(readPemKey(readFileSync(path('key.pem'), 'utf8'), certificate, null)).toBeDefined();
    // A sound key of three primes (RFC 8017 multi-prime; a JWK names only the first two) is taken.
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_keygen_primes:3', '-out', path('three-primes.pem'));
    openssl('req', '-x509', '-key', path('three-primes.pem'), '-out', path('three-primes-cert.pem'), '-days', '30', '-subj', '/CN=Three Primes');
    expect(readPemKey(readFileSync(path('three-primes.pem'), 'utf8'), readFileSync(path('three-primes-cert.pem'), 'utf8'), null).certificate.subject).toBe('CN=Three Primes');
  });

  it('makes key pairs one at a time (they share the thread pool that syncs the event store), each of a burst made', async () => {
    const queued = jest.spyOn(KeyedMutex.prototype, 'run');
    try {
      const burst = await Promise.all([1, 2, 3].map((n) => generateKeyMaterial({ keySize: 2048, subject: `CN=Burst ${n}`, validDays: 30, now: new Date() })));
      expect(burst.map((material) => material.certificate.subject)).toEqual(['CN=Burst 1', 'CN=Burst 2', 'CN=Burst 3']);
      expect(queued.mock.calls.filter(([key]) => key === 'rsa-key-pairs')).toHaveLength(3);
    } finally {
      queued.mockRestore();
    }
  });

  it('generates a key whose self-signed certificate and CSR openssl verifies', async () => {
    const material = await generateKeyMaterial({ keySize: 2048, subject: 'CN=Our AS2\\, Inc, O=Us, C=DE', validDays: 10, now: new Date() });
    expect(material.certificate.subject).toBe('CN=Our AS2\\, Inc, O=Us, C=DE');
    expect(material.certificate.selfSigned).toBe(true);
    writeFileSync(path('generated.pem'), material.certificate.pem);
    expect(openssl('verify', '-CAfile', path('generated.pem'), path('generated.pem')).toString()).toContain('OK');
    writeFileSync(path('request.csr'), certificationRequestOf(material.privateKey, { certificatePem: material.certificate.pem }));
    const verified = execFileSync('openssl', ['req', '-verify', '-noout', '-in', path('request.csr')], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(verified.toString()).toBe('');
    expect(openssl('req', '-noout', '-subject', '-in', path('request.csr')).toString()).toContain('C = DE, O = Us, CN = "Our AS2, Inc"');
    writeFileSync(path('custom.csr'), certificationRequestOf(material.privateKey, { text: 'CN=Renewed, O=Us' }));
    expect(openssl('req', '-verify', '-noout', '-subject', '-in', path('custom.csr')).toString()).toContain('O = Us, CN = Renewed');
  });

  // What openssl's own parser reads in a request or certificate's names: each attribute, its ASN.1 string type and its bytes as UTF-8.
  const namesIn = (file: string) => {
    const lines = openssl('asn1parse', '-in', path(file)).toString('utf8').split('\n');
    return lines.flatMap((line, i) => {
      const attribute = /prim: OBJECT +:(\w+)$/.exec(line)?.[1];
      const value = /prim: (PRINTABLESTRING|UTF8STRING|IA5STRING|T61STRING|BMPSTRING) +:(.*)$/.exec(lines[i + 1] ?? '');
      return attribute && value ? [`${attribute} ${value[1]} ${value[2]}`] : [];
    });
  };
  // The DER of a certificate's or request's subject Name at the offsets openssl's parser gives: after the certificate's
  // [0] version, the fifth field of its TBSCertificate; the second of a CertificationRequestInfo.
  const subjectDerIn = (kind: 'req' | 'x509', file: string) => {
    const der = openssl(kind, '-in', path(file), '-outform', 'DER');
    const fields = openssl('asn1parse', '-in', path(file)).toString('latin1').split('\n').flatMap((line) => {
      const field = /^ *(\d+):d=2 +hl= *(\d+) +l= *(\d+) +(?:cons|prim): (.*?) *$/.exec(line);
      return field && field[4] !== 'cont [ 0 ]' ? [der.subarray(Number(field[1]), Number(field[1]) + Number(field[2]) + Number(field[3]))] : [];
    });
    const name = fields[kind === 'x509' ? 4 : 1];
    if (name?.[0] !== 0x30) throw new Error(`no subject Name found in ${file}`);
    return name;
  };
  const subjectText = (kind: 'req' | 'x509', file: string) => openssl(kind, '-in', path(file), '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus').toString('utf8').trim();

  it('writes a value PrintableString when it can be one, else UTF8String; an email address IA5String (certificate and CSR)', async () => {
    const material = await generateKeyMaterial({ keySize: 2048, subject: 'CN=as2_gw, O=AT&T Üñí 日本, E=as2@our.example', validDays: 10, now: new Date() });
    const written = ['emailAddress IA5STRING as2@our.example', 'organizationName UTF8STRING AT&T Üñí 日本', 'commonName UTF8STRING as2_gw'];
    writeFileSync(path('utf8.pem'), material.certificate.pem);
    expect(namesIn('utf8.pem')).toEqual([...written, ...written]);
    expect(subjectText('x509', 'utf8.pem')).toBe('subject=emailAddress=as2@our.example,O=AT&T Üñí 日本,CN=as2_gw');
    expect(openssl('verify', '-CAfile', path('utf8.pem'), path('utf8.pem')).toString()).toContain('OK');
    writeFileSync(path('utf8.csr'), certificationRequestOf(material.privateKey, { text: 'CN=as2_gw, O=AT&T Üñí 日本, E=as2@our.example' }));
    expect(namesIn('utf8.csr')).toEqual(written);
    expect(subjectText('req', 'utf8.csr')).toBe('subject=emailAddress=as2@our.example,O=AT&T Üñí 日本,CN=as2_gw');
    // The certificate's own subject, copied: the same types and bytes (not its UTF-8 bytes encoded again).
    writeFileSync(path('utf8-copied.csr'), certificationRequestOf(material.privateKey, { certificatePem: material.certificate.pem }));
    expect(namesIn('utf8-copied.csr')).toEqual(written);
    expect(subjectDerIn('req', 'utf8-copied.csr')).toEqual(subjectDerIn('x509', 'utf8.pem'));
    // Characters beyond U+FFFF, and Latin-1 ones, are UTF-8 too; plain ASCII of PrintableString's set stays PrintableString.
    writeFileSync(path('astral.csr'), certificationRequestOf(material.privateKey, { text: 'CN=Our AS2, OU=Café 🔑, L=Zürich, C=CH' }));
    expect(namesIn('astral.csr')).toEqual(['countryName PRINTABLESTRING CH', 'localityName UTF8STRING Zürich', 'organizationalUnitName UTF8STRING Café 🔑', 'commonName PRINTABLESTRING Our AS2']);
    expect(openssl('req', '-verify', '-noout', '-in', path('astral.csr')).toString()).toBe('');
  });

  it('copies a certificate subject with a multi-valued RDN into the CSR as it is, byte for byte', () => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path('mv.key'), '-out', path('mv.pem'), '-days', '30', '-multivalue-rdn', '-subj', '/CN=a+O=b/C=US');
    const material = readPemKey(readFileSync(path('mv.key'), 'utf8'), readFileSync(path('mv.pem'), 'utf8'), null);
    writeFileSync(path('mv.csr'), certificationRequestOf(material.privateKey, { certificatePem: material.certificate.pem }));

    expect(openssl('req', '-verify', '-noout', '-in', path('mv.csr')).toString()).toBe('');
    expect(subjectDerIn('req', 'mv.csr')).toEqual(subjectDerIn('x509', 'mv.pem'));
    expect(subjectText('req', 'mv.csr')).toBe(subjectText('x509', 'mv.pem'));
    expect(openssl('req', '-in', path('mv.csr'), '-noout', '-subject', '-nameopt', 'RFC2253').toString().trim()).toBe('subject=C=US,O=b+CN=a');
  });

  it("counts a value's length in characters, not UTF-16 units: 64 emoji are 64 characters, 65 are too many", () => {
    expect(parseSubject(`CN=${'😀'.repeat(64)}`)).toEqual([[expect.objectContaining({ shortName: 'CN', value: '😀'.repeat(64) })]]);
    expect(() => parseSubject(`CN=${'😀'.repeat(65)}`)).toThrow(expect.objectContaining({ code: 'INVALID_SUBJECT', message: expect.stringContaining('1-64') }));
  });

  it('refuses a value holding a control character (C0, C1, a line separator) or a bidirectional override or isolate, written or hex-escaped; right-to-left text is taken', () => {
    for (const subject of ['CN=a\nb', 'CN=a\u0085b', 'CN=a\u2028b', 'CN=\u202eexe.txt, O=Acme', 'CN=x, O=a\u2066b\u2069', 'CN=a\\E2\\80\\AEb', 'CN=a\\E2\\81\\A6b']) {
      expect(() => parseSubject(subject)).toThrow(expect.objectContaining({ code: 'INVALID_SUBJECT', message: expect.stringContaining('printable') }));
    }
    expect(parseSubject('CN=שלום, O=مرحبا')).toEqual([[expect.objectContaining({ shortName: 'O', value: 'مرحبا' })], [expect.objectContaining({ shortName: 'CN', value: 'שלום' })]]);
  });

  it('refuses an email address (E) that is not ASCII', () => {
    expect(() => parseSubject('CN=x, E=jürgen@example.de')).toThrow(expect.objectContaining({ code: 'INVALID_SUBJECT', field: 'subject' }));
    expect(parseSubject('CN=x, E=a_b+c@example.de')).toEqual([[expect.objectContaining({ name: 'emailAddress', value: 'a_b+c@example.de' })], [expect.objectContaining({ shortName: 'CN', value: 'x' })]]);
  });

  const valuesOf = (subject: string) => parseSubject(subject).map((rdn) => rdn.map((field) => `${field.shortName ?? field.name}=${field.value}`));

  it('decodes RFC 4514 escapes: a special character after \\, hex pairs as UTF-8 bytes; refuses other escapes', () => {
    expect(valuesOf('CN=a\\+b\\\\c\\"d\\;e\\<f\\>g\\,h\\#i\\=j, O=Us')).toEqual([['O=Us'], ['CN=a+b\\c"d;e<f>g,h#i=j']]);
    expect(valuesOf('CN=\\#1 Partner, O=\\ padded\\ ')).toEqual([['O= padded '], ['CN=#1 Partner']]);
    expect(valuesOf('CN=Caf\\C3\\A9\\2C Inc \\F0\\9F\\94\\91, L=Z\\c3\\bcrich')).toEqual([['L=Zürich'], ['CN=Café, Inc 🔑']]);
    // As before: ', ' between RDNs with any spaces around, '=' inside a value, '+' not followed by NAME= kept.
    expect(valuesOf(' CN = Acme Corp AS2 ,O=Acme Corporation,  C=US ')).toEqual([['C=US'], ['O=Acme Corporation'], ['CN=Acme Corp AS2']]);
    expect(valuesOf('CN=a=b, E=x+y@example.de')).toEqual([['emailAddress=x+y@example.de'], ['CN=a=b']]);
    // An escape of nothing special, a lone '\\', bytes that are not UTF-8, a hex BER value ('#'), a control character escaped.
    const bad = ['CN=a\\b', 'CN=a\\', 'CN=a\\é', 'CN=\\C3', 'CN=\\FF\\FE', 'CN=#0c0161', 'CN=a, O=#x', 'CN=a\\0Ab'];
    const refused = bad.filter((subject) => {
      try {
        parseSubject(subject);
        return false;
      } catch (error) {
        return (error as { code?: string; field?: string }).code === 'INVALID_SUBJECT' && (error as { field?: string }).field === 'subject';
      }
    });
    expect(refused).toEqual(bad);
  });

  it('takes a multi-valued RDN (NAME=value+NAME=value) as one RDN; refuses one naming an attribute twice', () => {
    expect(valuesOf('CN=a+O=b, C=US')).toEqual([['C=US'], ['CN=a', 'O=b']]);
    expect(valuesOf('C=US, cn=a + ou=b+E=x@y.example')).toEqual([['CN=a', 'OU=b', 'emailAddress=x@y.example'], ['C=US']]);
    expect(() => parseSubject('CN=a+CN=b')).toThrow(expect.objectContaining({ code: 'INVALID_SUBJECT', message: expect.stringContaining('CN twice') }));
    expect(() => parseSubject('CN=a+XX=b')).toThrow(expect.objectContaining({ code: 'INVALID_SUBJECT', message: expect.stringContaining('"XX"') }));
    expect(() => parseSubject('O=a+C=US')).toThrow(expect.objectContaining({ code: 'INVALID_SUBJECT', message: expect.stringContaining('CN') }));
  });

  it('writes a multi-valued RDN as one SET in DER order, as openssl does (certificate and CSR)', async () => {
    const subject = 'CN=Longer Name+O=b, C=US';
    const material = await generateKeyMaterial({ keySize: 2048, subject, validDays: 10, now: new Date() });
    expect(material.certificate.subject).toBe('O=b+CN=Longer Name, C=US');
    writeFileSync(path('mv-generated.pem'), material.certificate.pem);
    expect(openssl('verify', '-CAfile', path('mv-generated.pem'), path('mv-generated.pem')).toString()).toContain('OK');
    expect(subjectText('x509', 'mv-generated.pem')).toBe('subject=C=US,O=b+CN=Longer Name');
    // openssl's own Name for the same RDNs, PrintableStrings as here: the same bytes (its SET sorted: O's shorter encoding first).
    writeFileSync(path('printable.cnf'), '[req]\ndistinguished_name = dn\nstring_mask = default\n[dn]\n');
    openssl('req', '-x509', '-config', path('printable.cnf'), '-newkey', 'rsa:2048', '-nodes', '-keyout', path('mv-openssl.key'), '-out', path('mv-openssl.pem'), '-days', '30', '-multivalue-rdn', '-subj', '/C=US/CN=Longer Name+O=b');
    expect(subjectDerIn('x509', 'mv-generated.pem')).toEqual(subjectDerIn('x509', 'mv-openssl.pem'));
    writeFileSync(path('mv-text.csr'), certificationRequestOf(material.privateKey, { text: subject }));
    expect(openssl('req', '-verify', '-noout', '-in', path('mv-text.csr')).toString()).toBe('');
    expect(subjectDerIn('req', 'mv-text.csr')).toEqual(subjectDerIn('x509', 'mv-openssl.pem'));
    // Escapes decoded before the value's type is chosen: "\2C" is a comma, PrintableString; "\C3\A9" UTF-8 é, UTF8String.
    writeFileSync(path('escaped.csr'), certificationRequestOf(material.privateKey, { text: 'CN=Acme\\2C Inc+OU=Caf\\C3\\A9, O=a\\+b' }));
    expect(namesIn('escaped.csr')).toEqual(['organizationName PRINTABLESTRING a+b', 'organizationalUnitName UTF8STRING Café', 'commonName PRINTABLESTRING Acme, Inc']);
    expect(openssl('req', '-verify', '-noout', '-in', path('escaped.csr')).toString()).toBe('');
  });

  it('refuses a subject without CN or with an unknown attribute', () => {
    expect(() => parseSubject('O=Acme')).toThrow(expect.objectContaining({ code: 'INVALID_SUBJECT' }));
    expect(() => parseSubject('CN=x, XX=y')).toThrow(expect.objectContaining({ code: 'INVALID_SUBJECT' }));
    expect(() => parseSubject('CN=x, C=Germany')).toThrow(expect.objectContaining({ code: 'INVALID_SUBJECT' }));
  });
});
