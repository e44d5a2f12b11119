import { X509Certificate, createHash } from 'node:crypto';
import { issueTestCertificate, testChain } from '@as2-partners/certificate-lifecycle-testing';
import { readCertificateUpload } from './read-certificate-upload';

const DAY_MS = 86_400_000;

describe('readCertificateUpload', () => {
  const certificate = issueTestCertificate({ commonName: 'Acme Corp AS2', organization: 'Acme Corporation' });

  it('given a PEM certificate, when read, then it reports subject, issuer, dates, fingerprints and key', () => {
    const details = readCertificateUpload(Buffer.from(certificate.pem));
    const x509 = new X509Certificate(certificate.der);

    expect(details.subject).toBe('CN=Acme Corp AS2, O=Acme Corporation');
    expect(details.issuer).toBe('CN=Acme Corp AS2, O=Acme Corporation');
    expect(details.fingerprintSha256).toBe(x509.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(details.fingerprintSha1).toBe(createHash('sha1').update(certificate.der).digest('hex'));
    expect(details.notBefore).toBe(new Date(x509.validFrom).toISOString());
    expect(details.notAfter).toBe(new Date(x509.validTo).toISOString());
    expect(details.serial).toBe(x509.serialNumber.toLowerCase().replace(/^(00)+/, ''));
    expect(details).toMatchObject({ keyAlgorithm: 'RSA', keySize: 2048, signatureAlgorithm: 'sha256WithRSAEncryption', isCa: false, selfSigned: true, chain: [] });
    expect(details.pem).toBe(certificate.pem);
  });

  it('given the same certificate as DER, when read, then the details equal the PEM reading', () => {
    expect(readCertificateUpload(certificate.der)).toEqual(readCertificateUpload(Buffer.from(certificate.pem)));
  });

  it('given a PEM with CRLF line ends and explanatory text, when read, then it is accepted and the PEM normalised', () => {
    const crlf = `Bag Attributes\r\n    friendlyName: acme\r\nsubject=/CN=Acme Corp AS2\r\n${certificate.pem.replace(/\n/g, '\r\n')}\r\n\r\n`;

    const details = readCertificateUpload(Buffer.from(crlf));

    expect(details.pem).toBe(certificate.pem);
    expect(details.fingerprintSha256).toBe(createHash('sha256').update(certificate.der).digest('hex'));
  });

  it('given a PEM saved with a UTF-8 byte-order mark before its BEGIN line (Windows Notepad), when read, then it is accepted', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(certificate.pem)]);

    expect(readCertificateUpload(withBom).pem).toBe(certificate.pem);
  });

  it('given a PEM whose base64 is wrapped at 76 columns, when read, then it is normalised to 64 columns', () => {
    const body = certificate.der.toString('base64').match(/.{1,76}/g)!.join('\n');

    const details = readCertificateUpload(Buffer.from(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`));

    expect(details.pem).toBe(certificate.pem);
    expect(details.pem.split('\n').every((line) => line.length <= 64)).toBe(true);
  });

  describe('bundles', () => {
    const chain = testChain();

    it('given leaf, intermediate, root in order, when read, then the chain runs from the leaf issuer to the root', () => {
      const details = readCertificateUpload(Buffer.from(chain.bundlePem));

      expect(details.fingerprintSha256).toBe(sha256(chain.leaf.der));
      expect(details.subject).toBe('CN=Test Partner AS2, O=Test Partner');
      expect(details.issuer).toBe('CN=Test Intermediate CA 1, O=Test PKI');
      expect(details.selfSigned).toBe(false);
      expect(details.chain.map((member) => member.fingerprintSha256)).toEqual([sha256(chain.intermediates[0].der), sha256(chain.root.der)]);
      expect(details.chain[1].subject).toBe(details.chain[1].issuer);
      expect(Object.keys(details.chain[0]).sort()).toEqual(['fingerprintSha1', 'fingerprintSha256', 'issuer', 'notAfter', 'notBefore', 'pem', 'serial', 'subject']);
    });

    it('given the bundle out of order, when read, then the same leaf and ordered chain come back', () => {
      const shuffled = [chain.root, chain.leaf, chain.intermediates[0]].map((member) => member.pem).join('\n');

      expect(readCertificateUpload(Buffer.from(shuffled))).toEqual(readCertificateUpload(Buffer.from(chain.bundlePem)));
    });

    it('given a five-deep chain reversed, when read, then three intermediates are ordered leaf-side first', () => {
      const deep = testChain({ depth: 5 });
      const reversed = [deep.root, ...[...deep.intermediates].reverse(), deep.leaf].map((member) => member.pem).join('');

      const details = readCertificateUpload(Buffer.from(reversed));

      expect(details.chain.map((member) => member.subject)).toEqual([
        'CN=Test Intermediate CA 3, O=Test PKI',
        'CN=Test Intermediate CA 2, O=Test PKI',
        'CN=Test Intermediate CA 1, O=Test PKI',
        'CN=Test Root CA, O=Test PKI',
      ]);
    });

    it('given a leaf and its intermediate without the root, when read, then the chain stops at the intermediate', () => {
      const details = readCertificateUpload(Buffer.from(chain.leaf.pem + chain.intermediates[0].pem));

      expect(details.chain.map((member) => member.subject)).toEqual(['CN=Test Intermediate CA 1, O=Test PKI']);
    });

    it('given the same certificate twice, when read, then it counts once', () => {
      expect(readCertificateUpload(Buffer.from(certificate.pem + certificate.pem)).chain).toEqual([]);
    });

    it('given a leaf whose issuer is not uploaded, when read, then it is accepted without checking its signature', () => {
      const details = readCertificateUpload(Buffer.from(chain.leaf.pem));

      expect(details).toMatchObject({ selfSigned: false, chain: [] });
    });
  });

  describe('keys', () => {
    it('given an EC P-256 certificate, when read, then the key is EC of 256 bits and the signature ECDSA', () => {
      const ec = issueTestCertificate({ keyType: 'ec', keyBits: 256 });

      expect(readCertificateUpload(ec.der)).toMatchObject({ keyAlgorithm: 'EC', keySize: 256, signatureAlgorithm: 'ecdsa-with-SHA256', selfSigned: true });
    });

    it('given an EC P-384 leaf issued by an RSA CA in the bundle, when read, then key size is 384 and the chain verified', () => {
      const ca = issueTestCertificate({ commonName: 'RSA CA', isCa: true });
      const ec = issueTestCertificate({ keyType: 'ec', keyBits: 384, issuer: ca });

      expect(readCertificateUpload(Buffer.from(ec.pem + ca.pem))).toMatchObject({ keyAlgorithm: 'EC', keySize: 384, signatureAlgorithm: 'sha256WithRSAEncryption', chain: [{ subject: 'CN=RSA CA' }] });
    });

    it.each([1024, 2048, 4096])('given an RSA %i-bit certificate, when read, then that key size is reported', (bits) => {
      expect(readCertificateUpload(issueTestCertificate({ keyBits: bits }).der).keySize).toBe(bits);
    }, 60_000);

    it('given a SHA-1 signed certificate, when read, then the signature algorithm says so', () => {
      expect(readCertificateUpload(issueTestCertificate({ signatureHash: 'sha1' }).der).signatureAlgorithm).toBe('sha1WithRSAEncryption');
    });
  });

  describe('serial numbers', () => {
    it('given a serial with the high bit set, when read, then the DER sign padding 00 is stripped', () => {
      const padded = issueTestCertificate({ serial: 'ff01a2' });

      expect(padded.der.includes(Buffer.from([0x02, 0x04, 0x00, 0xff, 0x01, 0xa2]))).toBe(true);
      expect(readCertificateUpload(padded.der).serial).toBe('ff01a2');
    });

    it('given a serial starting with a small byte, when read, then it is kept as lowercase hex', () => {
      expect(readCertificateUpload(issueTestCertificate({ serial: '0A0B0C' }).der).serial).toBe('0a0b0c');
    });
  });

  describe('usage extensions', () => {
    it('given keyUsage and EKU, when read, then their names are listed in bit order', () => {
      const certificate = issueTestCertificate({
        keyUsage: ['keyEncipherment', 'digitalSignature', 'nonRepudiation', 'decipherOnly'],
        extendedKeyUsage: ['emailProtection', 'serverAuth', 'clientAuth', '1.3.6.1.4.1.99999.1'],
      });

      const details = readCertificateUpload(certificate.der);

      expect(details.keyUsage).toEqual(['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'decipherOnly']);
      expect(details.extendedKeyUsage).toEqual(['emailProtection', 'serverAuth', 'clientAuth', '1.3.6.1.4.1.99999.1']);
    });

    it('given every EKU name, when read, then each maps back to its name', () => {
      const names = ['serverAuth', 'clientAuth', 'codeSigning', 'emailProtection', 'timeStamping', 'OCSPSigning', 'anyExtendedKeyUsage'];

      expect(readCertificateUpload(issueTestCertificate({ extendedKeyUsage: names }).der).extendedKeyUsage).toEqual(names);
    });

    it('given no keyUsage and no EKU extension, when read, then both are null', () => {
      expect(readCertificateUpload(issueTestCertificate({ keyUsage: [] }).der)).toMatchObject({ keyUsage: null, extendedKeyUsage: null });
    });

    it('given a CA certificate, when read, then isCa is true with keyCertSign', () => {
      expect(readCertificateUpload(issueTestCertificate({ isCa: true }).der)).toMatchObject({ isCa: true, keyUsage: ['keyCertSign', 'cRLSign'] });
    });
  });

  describe('names and dates', () => {
    it('given special characters in the common name, when read, then they are escaped per RFC 4514', () => {
      const certificate = issueTestCertificate({ commonName: '#Acme, Inc. + "Sons" <EU>; a\\b ', organization: 'Zürich Ödön' });

      expect(readCertificateUpload(certificate.der).subject).toBe('CN=\\#Acme\\, Inc. \\+ \\"Sons\\" \\<EU\\>\\; a\\\\b\\ , O=Zürich Ödön');
    });

    it('given validity beyond 2049, when read, then the GeneralizedTime date is exact', () => {
      const notAfter = new Date(Date.UTC(2060, 5, 30, 12, 0, 0));

      expect(readCertificateUpload(issueTestCertificate({ notAfter }).der).notAfter).toBe('2060-06-30T12:00:00.000Z');
    });

    it('given a certificate that expired a year ago, when read, then it is still read (validity is checked separately)', () => {
      const old = issueTestCertificate({ notBefore: new Date(Date.now() - 730 * DAY_MS), notAfter: new Date(Date.now() - 365 * DAY_MS) });

      expect(Date.parse(readCertificateUpload(old.der).notAfter)).toBeLessThan(Date.now());
    });
  });
});

function sha256(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}
