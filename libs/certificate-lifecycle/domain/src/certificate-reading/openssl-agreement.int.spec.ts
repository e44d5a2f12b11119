import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError } from '@as2-partners/kernel';
import { issueTestCertificate, testChain } from '@as2-partners/certificate-lifecycle-testing';
import { readCertificateUpload } from './read-certificate-upload';

// OpenSSL 3 is the reference: fingerprints, names, serials, dates and key sizes must agree with `openssl x509`.
const OPENSSL_KEY_USAGE: Record<string, string> = {
  'Digital Signature': 'digitalSignature',
  'Non Repudiation': 'nonRepudiation',
  'Key Encipherment': 'keyEncipherment',
  'Data Encipherment': 'dataEncipherment',
  'Key Agreement': 'keyAgreement',
  'Certificate Sign': 'keyCertSign',
  'CRL Sign': 'cRLSign',
  'Encipher Only': 'encipherOnly',
  'Decipher Only': 'decipherOnly',
};
const OPENSSL_EXTENDED_KEY_USAGE: Record<string, string> = {
  'TLS Web Server Authentication': 'serverAuth',
  'TLS Web Client Authentication': 'clientAuth',
  'Code Signing': 'codeSigning',
  'E-mail Protection': 'emailProtection',
  'Time Stamping': 'timeStamping',
  'OCSP Signing': 'OCSPSigning',
  'Any Extended Key Usage': 'anyExtendedKeyUsage',
};

describe('readCertificateUpload agrees with openssl x509', () => {
  let dir: string;
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const field = (certificate: string, option: string) => openssl('x509', '-in', certificate, '-noout', ...option.split(' ')).trim().replace(/^[^=]*=/, '');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'certificate-reading-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['RSA 2048', ['-newkey', 'rsa:2048'], '/C=US/O=Acme Corporation/CN=Acme Corp AS2', 2048],
    ['EC P-384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'], '/C=DE/O=Acme\\, Inc./OU=EDI \\+ B2B/CN=#as2 ', 384],
    ['Ed25519', ['-newkey', 'ed25519'], '/CN=Edwards Partner/emailAddress=edi@partner.example', 256],
  ])('given an openssl-made %s certificate, when read as PEM and DER, then every field matches openssl', (_, keyArgs, subject, keySize) => {
    openssl('req', '-x509', ...keyArgs, '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-subj', subject, '-days', '30', '-set_serial', '0x00F00DBEEF0102');
    openssl('x509', '-in', 'cert.pem', '-outform', 'DER', '-out', 'cert.der');

    const details = readCertificateUpload(readFileSync(join(dir, 'cert.pem')));

    expect(readCertificateUpload(readFileSync(join(dir, 'cert.der')))).toEqual(details);
    expect(details.fingerprintSha256).toBe(field('cert.pem', '-fingerprint -sha256').replace(/:/g, '').toLowerCase());
    expect(details.fingerprintSha1).toBe(field('cert.pem', '-fingerprint -sha1').replace(/:/g, '').toLowerCase());
    expect(details.subject.replace(/(?<!\\), /g, ',')).toBe(field('cert.pem', '-subject -nameopt RFC2253'));
    expect(details.issuer).toBe(details.subject);
    expect(details.serial).toBe('f00dbeef0102');
    expect(details.notBefore).toBe(new Date(field('cert.pem', '-startdate')).toISOString());
    expect(details.notAfter).toBe(new Date(field('cert.pem', '-enddate')).toISOString());
    expect(details.keySize).toBe(keySize);
    expect(details.selfSigned).toBe(true);
    expect(details.pem).toBe(readFileSync(join(dir, 'cert.pem'), 'utf8'));
  });

  it.each([
    ['signed with MD5', 'CERTIFICATE_WEAK_SIGNATURE', ['-md5']],
    ['with RSA public exponent 3', 'CERTIFICATE_WEAK_PUBLIC_EXPONENT', ['-pkeyopt', 'rsa_keygen_pubexp:3']],
    ['with an unknown critical extension', 'CERTIFICATE_UNSUPPORTED_CRITICAL_EXTENSION', ['-addext', '1.3.6.1.4.1.99999.1=critical,ASN1:NULL']],
  ])('given an openssl-made certificate %s, when read, then it is refused with %s', (_, code, extraArgs) => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', ...extraArgs, '-nodes', '-keyout', 'key.pem', '-out', 'weak.pem', '-subj', '/CN=Weak Partner', '-days', '30');
    let refused: unknown;
    try {
      readCertificateUpload(readFileSync(join(dir, 'weak.pem')));
    } catch (error) {
      refused = error;
    }

    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe(code);
  });

  it('given critical extensions, when openssl verifies, then it refuses the ones we refuse and accepts the RFC 5280 ones we accept', () => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'odd.pem', '-subj', '/CN=Odd', '-days', '30', '-addext', '1.3.6.1.4.1.99999.1=critical,ASN1:NULL');
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'san.pem', '-subj', '/CN=San', '-days', '30', '-addext', 'subjectAltName=critical,DNS:partner.example', '-addext', 'extendedKeyUsage=critical,emailProtection');
    const verifies = (file: string) => {
      try {
        openssl('verify', '-CAfile', file, file);
        return true;
      } catch {
        return false;
      }
    };

    expect(verifies('odd.pem')).toBe(false);
    expect(verifies('san.pem')).toBe(true);
    expect(readCertificateUpload(readFileSync(join(dir, 'san.pem'))).extendedKeyUsage).toEqual(['emailProtection']);
  });

  it('given an openssl-made SHA-1 certificate, when read, then it is accepted and its subject reported for the SHA-1 warning', () => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-sha1', '-nodes', '-keyout', 'key.pem', '-out', 'sha1.pem', '-subj', '/CN=SHA-1 Partner', '-days', '30');

    expect(readCertificateUpload(readFileSync(join(dir, 'sha1.pem')))).toMatchObject({ signatureAlgorithm: 'sha1WithRSAEncryption', sha1SignedSubjects: ['CN=SHA-1 Partner'] });
  });

  it('given openssl-made RSASSA-PSS certificates, when read, then the one over SHA-1 (named in its parameters) is reported for the SHA-1 warning, the one over SHA-256 not', () => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-sha1', '-sigopt', 'rsa_padding_mode:pss', '-nodes', '-keyout', 'key.pem', '-out', 'pss-sha1.pem', '-subj', '/CN=PSS SHA-1', '-days', '30');
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-nodes', '-keyout', 'key.pem', '-out', 'pss-sha256.pem', '-subj', '/CN=PSS SHA-256', '-days', '30');

    expect(readCertificateUpload(readFileSync(join(dir, 'pss-sha1.pem')))).toMatchObject({ signatureAlgorithm: 'RSASSA-PSS', sha1SignedSubjects: ['CN=PSS SHA-1'] });
    expect(readCertificateUpload(readFileSync(join(dir, 'pss-sha256.pem')))).toMatchObject({ signatureAlgorithm: 'RSASSA-PSS', sha1SignedSubjects: [] });
  });

  it('given the seed partner subject, when read, then it is written exactly as the API documents it', () => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'seed.pem', '-subj', '/C=US/O=Acme Corporation/CN=Acme Corp AS2', '-days', '1');

    expect(readCertificateUpload(readFileSync(join(dir, 'seed.pem'))).subject).toBe('CN=Acme Corp AS2, O=Acme Corporation, C=US');
  });

  it('given a factory chain, when openssl verifies it, then it is valid X.509 and its usage names match ours', () => {
    const chain = testChain();
    const leaf = issueTestCertificate({ commonName: 'Usage Probe', issuer: chain.intermediates[0], keyUsage: ['digitalSignature', 'keyEncipherment', 'nonRepudiation'], extendedKeyUsage: ['emailProtection', 'serverAuth'] });
    writeFileSync(join(dir, 'root.pem'), chain.root.pem);
    writeFileSync(join(dir, 'intermediate.pem'), chain.intermediates[0].pem);
    writeFileSync(join(dir, 'leaf.pem'), leaf.pem);

    expect(openssl('verify', '-CAfile', 'root.pem', '-untrusted', 'intermediate.pem', 'leaf.pem').trim()).toBe('leaf.pem: OK');
    const extensions = openssl('x509', '-in', 'leaf.pem', '-noout', '-ext', 'keyUsage,extendedKeyUsage').split('\n').map((line) => line.trim());
    const listAfter = (header: string, names: Record<string, string>) => extensions[extensions.findIndex((line) => line.startsWith(header)) + 1].split(', ').map((name) => names[name]);
    const details = readCertificateUpload(Buffer.from(leaf.pem + chain.intermediates[0].pem + chain.root.pem));
    expect(details.keyUsage).toEqual(listAfter('X509v3 Key Usage', OPENSSL_KEY_USAGE));
    expect(details.extendedKeyUsage).toEqual(listAfter('X509v3 Extended Key Usage', OPENSSL_EXTENDED_KEY_USAGE));
    expect(details.chain).toHaveLength(2);
  });

  it('given a .p7b bundle made by openssl crl2pkcs7, when read, then INVALID_CERTIFICATE says to upload PEM', () => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'p7.pem', '-subj', '/CN=P7 Partner', '-days', '1');
    openssl('crl2pkcs7', '-nocrl', '-certfile', 'p7.pem', '-outform', 'DER', '-out', 'bundle.p7b');
    let refused: unknown;
    try {
      readCertificateUpload(readFileSync(join(dir, 'bundle.p7b')));
    } catch (error) {
      refused = error;
    }

    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('INVALID_CERTIFICATE');
    expect((refused as DomainError).message).toMatch(/PKCS#7/);
  });

  it('given an openssl PKCS#12 and its certificate export with Bag Attributes, when read, then the PFX is refused and the export accepted', () => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'bag.pem', '-subj', '/CN=Bag Partner', '-days', '1');
    openssl('pkcs12', '-export', '-in', 'bag.pem', '-inkey', 'key.pem', '-out', 'bag.p12', '-passout', 'pass:secret', '-name', 'bag');
    openssl('pkcs12', '-in', 'bag.p12', '-nokeys', '-out', 'bag-export.pem', '-passin', 'pass:secret');
    const exported = readFileSync(join(dir, 'bag-export.pem'), 'utf8');

    expect(exported).toContain('Bag Attributes');
    expect(readCertificateUpload(Buffer.from(exported)).subject).toBe('CN=Bag Partner');
    let refused: unknown;
    try {
      readCertificateUpload(readFileSync(join(dir, 'bag.p12')));
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('PRIVATE_KEY_NOT_ALLOWED');
  });
});
