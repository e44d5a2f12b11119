import * as crypto from 'node:crypto';
import * as forge from 'node-forge';
import { readAsn1, childAt, oidValue, Tag, type Asn1Element } from '../asn1/ber-reader';
import { As2Error } from '../errors/as2-error';

function pemBlocks(text: string, label: string): Buffer[] {
  const pattern = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...text.matchAll(pattern)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

function formatName(attributes: forge.pki.CertificateField[]): string {
  return attributes.map((a) => `${a.shortName ?? a.name ?? a.type}=${String(a.value)}`).join(', ');
}

/**
 * An X.509 certificate as AS2 needs it: parsed by node-forge (names, serial, validity), its public key as
 * a Node KeyObject for the crypto work, and the raw DER of issuer and serial for CMS IssuerAndSerialNumber.
 */
export class As2Certificate {
  readonly subject: string;
  readonly issuer: string;
  /** Upper-case hex, as operators see it in certificate viewers. */
  readonly serialNumber: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex. */
  readonly fingerprint: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: crypto.KeyObject;
  /** DER of the issuer Name, byte-exact from the certificate. */
  readonly issuerDer: Buffer;
  /** Content octets of the serial INTEGER, byte-exact from the certificate. */
  readonly serialDer: Buffer;
  readonly subjectKeyIdentifier?: Buffer;

  private constructor(readonly der: Buffer) {
    let parsed: forge.pki.Certificate;
    try {
      parsed = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))));
    } catch (error) {
      throw new As2Error('CERTIFICATE_INVALID', `The certificate could not be read: ${(error as Error).message}. AS2 here needs an RSA X.509 certificate.`);
    }
    this.subject = formatName(parsed.subject.attributes);
    this.issuer = formatName(parsed.issuer.attributes);
    this.serialNumber = parsed.serialNumber.toUpperCase();
    this.notBefore = parsed.validity.notBefore;
    this.notAfter = parsed.validity.notAfter;
    this.fingerprint = crypto.createHash('sha256').update(der).digest('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
    this.publicKey = new crypto.X509Certificate(der).publicKey;
    const tbs = childAt(readAsn1(der), 0, 'tbsCertificate');
    const fields = tbs.children;
    const offset = fields[0]?.tag === Tag.context(0, true) ? 1 : 0;
    this.serialDer = childAt(tbs, offset, 'certificate serial number').content;
    this.issuerDer = childAt(tbs, offset + 2, 'certificate issuer').raw;
    const ski = parsed.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
    if (ski?.subjectKeyIdentifier) this.subjectKeyIdentifier = Buffer.from(ski.subjectKeyIdentifier, 'hex');
  }

  /** Reads one certificate from PEM text or DER bytes. */
  static from(input: string | Buffer | As2Certificate): As2Certificate {
    if (input instanceof As2Certificate) return input;
    const text = typeof input === 'string' ? input : input.subarray(0, 64).toString('latin1').includes('-----BEGIN') ? input.toString('latin1') : undefined;
    if (text === undefined) return As2Certificate.fromDer(input as Buffer);
    const [first] = pemBlocks(text, 'CERTIFICATE');
    if (!first) throw new As2Error('CERTIFICATE_INVALID', 'No "-----BEGIN CERTIFICATE-----" block found in the certificate text.');
    return As2Certificate.fromDer(first);
  }

  /** Reads every certificate of a PEM bundle. */
  static allFrom(pem: string): As2Certificate[] {
    return pemBlocks(pem, 'CERTIFICATE').map((d) => As2Certificate.fromDer(d));
  }

  static fromDer(der: Buffer): As2Certificate {
    try {
      return new As2Certificate(Buffer.from(der));
    } catch (error) {
      if (error instanceof As2Error && error.code === 'CERTIFICATE_INVALID') throw error;
      throw new As2Error('CERTIFICATE_INVALID', `The certificate could not be read: ${(error as Error).message}.`);
    }
  }

  /** One line an operator can match against their certificate store. */
  describe(): string {
    return `subject "${this.subject}", issuer "${this.issuer}", serial ${this.serialNumber}, SHA-256 fingerprint ${this.fingerprint}`;
  }

  toPem(): string {
    const body = this.der.toString('base64').replace(/.{64}/g, '$&\n');
    return `-----BEGIN CERTIFICATE-----\n${body}${body.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
  }

  matchesIssuerSerial(issuerDer: Buffer, serial: Buffer): boolean {
    return normalizeSerial(serial).equals(normalizeSerial(this.serialDer)) && issuerDer.equals(this.issuerDer);
  }

  matchesSubjectKeyIdentifier(keyId: Buffer): boolean {
    return this.subjectKeyIdentifier !== undefined && this.subjectKeyIdentifier.equals(keyId);
  }

  isValidAt(at: Date): boolean {
    return at >= this.notBefore && at <= this.notAfter;
  }
}

function normalizeSerial(serial: Buffer): Buffer {
  let i = 0;
  while (i < serial.length - 1 && serial[i] === 0) i++;
  return serial.subarray(i);
}

const nameLabels: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'E',
};

/** Human-readable form of a CMS IssuerAndSerialNumber, for error messages. */
export function describeIssuerSerial(issuerAndSerial: Asn1Element): string {
  try {
    const [issuer, serial] = issuerAndSerial.children;
    const parts = issuer.children.flatMap((rdn) =>
      rdn.children.map((atv) => {
        const oid = oidValue(atv.children[0], 'attribute type');
        return `${nameLabels[oid] ?? oid}=${atv.children[1].content.toString('utf8')}`;
      }),
    );
    return `issuer "${parts.join(', ')}", serial ${normalizeSerial(serial.content).toString('hex').toUpperCase()}`;
  } catch {
    return 'an unreadable issuer/serial';
  }
}
