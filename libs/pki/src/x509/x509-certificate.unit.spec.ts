import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Asn1Error } from '../asn1/asn1-error';
import { der, flatten } from '../asn1/der-writer';
import { pemBlocksToDer } from '../pem';
import { readX509Certificate } from './x509-certificate';

/** A certificate made by OpenSSL, so the reader is checked against another implementation's bytes. */
function opensslCertificate(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'pki-x509-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-sha256',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-subj', '/C=DE/O=Acme, Inc./CN=TSA One',
      '-set_serial', '0x00ff0102',
      '-addext', 'basicConstraints=critical,CA:FALSE',
      '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation',
      '-addext', 'extendedKeyUsage=critical,timeStamping',
      '-addext', 'subjectKeyIdentifier=hash',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    return pemBlocksToDer(readFileSync(join(dir, 'cert.pem'), 'latin1'))[0];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('readX509Certificate', () => {
  const certificateDer = opensslCertificate();
  const openssl = new X509Certificate(certificateDer);

  it('reads the facts OpenSSL reads from the same certificate', () => {
    const facts = readX509Certificate(certificateDer);

    expect(facts.version).toBe(3);
    expect(facts.serialNumberHex.toUpperCase()).toBe(openssl.serialNumber.replace(/^0+(?=.)/, ''));
    expect(facts.serialNumberDer.toString('hex')).toBe('020400ff0102');
    expect(facts.subject.text).toBe('CN=TSA One, O=Acme\\, Inc., C=DE');
    expect(facts.issuer.der).toEqual(facts.subject.der);
    expect(facts.notBefore.getTime()).toBe(new Date(openssl.validFrom).getTime());
    expect(facts.notAfter.getTime()).toBe(new Date(openssl.validTo).getTime());
    expect(facts.signatureAlgorithm).toBe('ecdsa-with-SHA256');
    expect(facts.isCa).toBe(openssl.ca);
    expect(facts.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(facts.extendedKeyUsageOids).toEqual(openssl.keyUsage);
    expect(facts.extendedKeyUsage).toEqual(['timeStamping']);
    expect(facts.extensions.get('2.5.29.37')?.critical).toBe(true);
    expect(facts.subjectKeyIdentifier).toHaveLength(20);
  });

  it('refuses a structure that is DER but not a certificate, naming it', () => {
    const notACertificate = flatten(der.sequence(der.integer(1), der.integer(2)));

    expect(() => readX509Certificate(notACertificate)).toThrow(new Asn1Error('The upload is not an X.509 certificate'));
  });

  it('refuses a repeated extension (RFC 5280 4.2)', () => {
    // basicConstraints (2.5.29.19) renamed subjectKeyIdentifier (2.5.29.14): same length, now present twice.
    const twice = Buffer.from(certificateDer);
    twice.set(Buffer.from('0603551d0e', 'hex'), twice.indexOf(Buffer.from('0603551d13', 'hex')));

    expect(() => readX509Certificate(twice)).toThrow('The certificate repeats the extension 2.5.29.14');
  });
});
