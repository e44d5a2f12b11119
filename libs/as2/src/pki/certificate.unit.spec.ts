import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { As2Error } from '../errors/as2-error';
import { As2Certificate } from './certificate';
import { createSelfSignedIdentity } from './self-signed-identity';

function failureOf(read: () => unknown): As2Error {
  try {
    read();
  } catch (error) {
    if (error instanceof As2Error) return error;
    throw error;
  }
  throw new Error('expected the certificate to be refused');
}

describe('As2Certificate', () => {
  const identity = createSelfSignedIdentity({ commonName: 'Acme AS2', organization: 'Acme, Inc.', serialNumber: '00c0ffee' });
  const openssl = new X509Certificate(identity.certificatePem);

  it('reads names as RFC 4514 writes them (as the API does: most specific first, a comma in a value escaped), serial, validity and fingerprint as OpenSSL does', () => {
    const certificate = As2Certificate.from(identity.certificatePem);

    expect(certificate.subject).toBe('O=Acme\\, Inc., CN=Acme AS2');
    expect(certificate.subject).toBe(execFileSync('openssl', ['x509', '-noout', '-subject', '-nameopt', 'RFC2253'], { input: identity.certificatePem, encoding: 'utf8' }).trim().replace(/^subject=/, '').replace(/,(?! )/g, ', '));
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.serialNumber).toBe('00C0FFEE');
    expect(certificate.serialDer.toString('hex')).toBe('00c0ffee');
    expect(certificate.notBefore.getTime()).toBe(new Date(openssl.validFrom).getTime());
    expect(certificate.notAfter.getTime()).toBe(new Date(openssl.validTo).getTime());
    expect(certificate.fingerprint).toBe(openssl.fingerprint256);
    expect(certificate.subjectKeyIdentifier).toHaveLength(20);
    expect(certificate.describe()).toBe(`subject "O=Acme\\, Inc., CN=Acme AS2", issuer "O=Acme\\, Inc., CN=Acme AS2", serial 00C0FFEE, SHA-256 fingerprint ${openssl.fingerprint256}`);
  });

  it('matches its own issuer and serial, whatever sign padding the peer kept', () => {
    const certificate = As2Certificate.from(identity.certificatePem);

    expect(certificate.matchesIssuerSerial(certificate.issuerDer, Buffer.from('c0ffee', 'hex'))).toBe(true);
    expect(certificate.matchesIssuerSerial(certificate.issuerDer, Buffer.from('c0ffef', 'hex'))).toBe(false);
  });

  it('writes back the PEM it read, and reads DER and bundles', () => {
    const certificate = As2Certificate.from(identity.certificatePem);

    expect(certificate.toPem()).toBe(identity.certificatePem.replace(/\r\n/g, '\n'));
    expect(As2Certificate.from(certificate.der).fingerprint).toBe(certificate.fingerprint);
    expect(As2Certificate.allFrom(identity.certificatePem + identity.certificatePem)).toHaveLength(2);
  });

  it('refuses a certificate whose key is not RSA, and bytes that are not a certificate, with CERTIFICATE_INVALID', () => {
    const dir = mkdtempSync(join(tmpdir(), 'as2-ec-'));
    const ecPem = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-subj', '/CN=EC', '-days', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();
    rmSync(dir, { recursive: true, force: true });

    expect(failureOf(() => As2Certificate.from(ecPem)).code).toBe('CERTIFICATE_INVALID');
    expect(failureOf(() => As2Certificate.from(Buffer.from('30030201', 'hex'))).code).toBe('CERTIFICATE_INVALID');
    expect(failureOf(() => As2Certificate.from('no PEM here')).code).toBe('CERTIFICATE_INVALID');
  });
});
