import { Tag, type Asn1Element } from '@as2-partners/pki';
import { readCms } from '../cms/cms-structure';
import { describeIssuerSerial, type As2Certificate } from '../pki/certificate';

/** Whether a CMS RecipientIdentifier / SignerIdentifier element names the certificate. */
export function identifierMatches(id: Asn1Element, certificate: As2Certificate): boolean {
  if (id.tag === Tag.sequence) {
    const [issuer, serial] = id.children;
    return !!issuer && !!serial && certificate.matchesIssuerSerial(issuer.raw, serial.content);
  }
  return id.tag === Tag.context(0, false) && certificate.matchesSubjectKeyIdentifier(id.content);
}

/** The same, from the identifier's DER (as a decryptor in another process receives it); unreadable DER names nobody. */
export function recipientMatches(identifierDer: Buffer, certificate: As2Certificate): boolean {
  try {
    return identifierMatches(readCms(identifierDer), certificate);
  } catch {
    return false;
  }
}

export function describeIdentifier(id: Asn1Element): string {
  return id.tag === Tag.sequence ? describeIssuerSerial(id) : `subject key identifier ${id.content.toString('hex').toUpperCase()}`;
}
