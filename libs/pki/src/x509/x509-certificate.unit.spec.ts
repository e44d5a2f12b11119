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

/** An OpenSSL self-signed certificate with the serial given and what `openssl x509 -serial` prints for it. */
function opensslSerial(serial: string): { der: Buffer; printed: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pki-x509-serial-'));
  try {
    const out = join(dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30',
      '-keyout', join(dir, 'key.pem'), '-out', out, '-subj', '/CN=Serial', '-set_serial', serial,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    const printed = execFileSync('openssl', ['x509', '-noout', '-serial', '-in', out], { encoding: 'latin1' }).trim();
    return { der: pemBlocksToDer(readFileSync(out, 'latin1'))[0], printed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An OpenSSL self-signed RSASSA-PSS certificate over `digest` (its parameters name it) and what `openssl x509 -text` says of it. */
function opensslPss(digest: string): { der: Buffer; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pki-x509-pss-'));
  try {
    const out = join(dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', `-${digest}`, '-sigopt', 'rsa_padding_mode:pss',
      '-keyout', join(dir, 'key.pem'), '-out', out, '-subj', '/CN=PSS',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { der: pemBlocksToDer(readFileSync(out, 'latin1'))[0], text: execFileSync('openssl', ['x509', '-noout', '-text', '-in', out], { encoding: 'latin1' }) };
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

  it('reads a negative serial as OpenSSL prints it, never as the positive one with the same bytes', () => {
    const serials = ['-256', '65280', '-1', '-128', '-129', '128', '255', '1', '0'];
    const read = serials.map((serial) => {
      const { der: certificate, printed } = opensslSerial(serial);
      expect(readX509Certificate(certificate).serialNumberHex).toBe(printed.replace(/^serial=/, '').toLowerCase());
      return readX509Certificate(certificate).serialNumberHex;
    });

    expect(read).toEqual(['-0100', 'ff00', '-01', '-80', '-81', '80', 'ff', '01', '00']);
  });

  it("reads an RSASSA-PSS signature's digest from its parameters, as OpenSSL does (none for other algorithms, whose OID names it)", () => {
    const sha1 = opensslPss('sha1');
    const sha384 = opensslPss('sha384');
    expect(sha1.text).toContain('Hash Algorithm: sha1');
    expect(sha384.text).toContain('Hash Algorithm: sha384');
    expect([readX509Certificate(sha1.der).signatureAlgorithmOid, readX509Certificate(sha1.der).signatureHashOid]).toEqual(['1.2.840.113549.1.1.10', '1.3.14.3.2.26']);
    expect(readX509Certificate(sha384.der).signatureHashOid).toBe('2.16.840.1.101.3.4.2.2');
    expect(readX509Certificate(certificateDer).signatureHashOid).toBeNull();
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
