import { DerElement, expect, oidOf, readDer, Tag } from './asn1/der-reader';
import { Oid } from './oids';

/** The parts of an X.509 certificate that CMS signer identification and the TSA profile need, as raw DER. */
export interface CertificateFields {
  readonly der: Buffer;
  readonly serialNumberDer: Buffer;
  readonly issuerDer: Buffer;
  readonly subjectDer: Buffer;
  readonly subjectKeyIdentifier?: Buffer;
  readonly extendedKeyUsage?: { readonly critical: boolean; readonly purposes: readonly string[] };
}

function extensionsOf(tbs: DerElement): DerElement[] {
  const wrapper = tbs.children.find((c) => c.tag === 0xa3);
  return wrapper ? [...expect(wrapper.children[0], Tag.sequence, 'extensions').children] : [];
}

/** Throws Asn1FormatError (from the reader) when the bytes are not an X.509 certificate. */
export function certificateFieldsOf(certificateDer: Buffer): CertificateFields {
  const tbs = expect(expect(readDer(certificateDer), Tag.sequence, 'Certificate').children[0], Tag.sequence, 'tbsCertificate');
  const fields = tbs.children[0]?.tag === 0xa0 ? tbs.children.slice(1) : tbs.children;
  const [serial, , issuer, , subject] = fields;
  const result: { -readonly [K in keyof CertificateFields]: CertificateFields[K] } = {
    der: certificateDer,
    serialNumberDer: expect(serial, Tag.integer, 'serialNumber').raw,
    issuerDer: expect(issuer, Tag.sequence, 'issuer').raw,
    subjectDer: expect(subject, Tag.sequence, 'subject').raw,
  };
  for (const extension of extensionsOf(tbs)) {
    const oid = oidOf(extension.children[0], 'extension id');
    const critical = extension.children[1]?.tag === Tag.boolean && extension.children[1].content[0] !== 0;
    const value = expect(extension.children[extension.children.length - 1], Tag.octetString, 'extnValue').content;
    if (oid === '2.5.29.14') result.subjectKeyIdentifier = expect(readDer(value), Tag.octetString, 'subjectKeyIdentifier').content;
    if (oid === Oid.extendedKeyUsageExtension) {
      result.extendedKeyUsage = { critical, purposes: expect(readDer(value), Tag.sequence, 'extKeyUsage').children.map((p) => oidOf(p, 'key purpose')) };
    }
  }
  return result;
}
