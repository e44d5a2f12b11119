import * as crypto from 'node:crypto';
import { Asn1Error, type Asn1Element, derToPem, formatDistinguishedName, pemBlocksToDer, readX509Certificate } from '@as2-partners/pki';
import { As2Error } from '../errors/as2-error';

/**
 * An X.509 certificate as AS2 needs it: its facts read once by the PKI library (names, serial, validity, the raw
 * DER of issuer and serial for CMS IssuerAndSerialNumber), its RSA public key as a Node KeyObject for the crypto work.
 */
export class As2Certificate {
  /** RFC 4514, as the API writes names everywhere (most specific first, values escaped: "CN=Acme AS2, O=Acme\\, Inc."). */
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
  /** The serial INTEGER (identifier, length, content), byte-exact from the certificate. */
  readonly serialNumberDer: Buffer;
  /** Content octets of the serial INTEGER, byte-exact from the certificate. */
  readonly serialDer: Buffer;
  readonly subjectKeyIdentifier?: Buffer;

  private constructor(readonly der: Buffer) {
    let facts;
    try {
      facts = readX509Certificate(der);
    } catch (error) {
      if (!(error instanceof Asn1Error)) throw error;
      throw new As2Error('CERTIFICATE_INVALID', `The certificate could not be read: ${error.message}. AS2 here needs an RSA X.509 certificate.`);
    }
    this.publicKey = new crypto.X509Certificate(der).publicKey;
    if (this.publicKey.asymmetricKeyType !== 'rsa') {
      throw new As2Error('CERTIFICATE_INVALID', `The certificate could not be read: its key is ${this.publicKey.asymmetricKeyType}. AS2 here needs an RSA X.509 certificate.`);
    }
    this.subject = facts.subject.text;
    this.issuer = facts.issuer.text;
    this.serialNumberDer = facts.serialNumberDer;
    this.serialDer = facts.serialNumber;
    this.serialNumber = this.serialDer.toString('hex').toUpperCase();
    this.notBefore = facts.notBefore;
    this.notAfter = facts.notAfter;
    this.fingerprint = crypto.createHash('sha256').update(der).digest('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
    this.issuerDer = facts.issuer.der;
    this.subjectKeyIdentifier = facts.subjectKeyIdentifier;
  }

  /** Reads one certificate from PEM text or DER bytes. */
  static from(input: string | Buffer | As2Certificate): As2Certificate {
    if (input instanceof As2Certificate) return input;
    const text = typeof input === 'string' ? input : input.subarray(0, 64).toString('latin1').includes('-----BEGIN') ? input.toString('latin1') : undefined;
    if (text === undefined) return As2Certificate.fromDer(input as Buffer);
    const [first] = pemBlocksToDer(text);
    if (!first) throw new As2Error('CERTIFICATE_INVALID', 'No "-----BEGIN CERTIFICATE-----" block found in the certificate text.');
    return As2Certificate.fromDer(first);
  }

  /** Reads every certificate of a PEM bundle. */
  static allFrom(pem: string): As2Certificate[] {
    return pemBlocksToDer(pem).map((d) => As2Certificate.fromDer(d));
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
    return derToPem(this.der);
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


/** Human-readable form of a CMS IssuerAndSerialNumber, for error messages. */
export function describeIssuerSerial(issuerAndSerial: Asn1Element): string {
  try {
    const [issuer, serial] = issuerAndSerial.children;
    return `issuer "${formatDistinguishedName(issuer as Asn1Element, 'issuer')}", serial ${normalizeSerial((serial as Asn1Element).content).toString('hex').toUpperCase()}`;
  } catch {
    return 'an unreadable issuer/serial';
  }
}
