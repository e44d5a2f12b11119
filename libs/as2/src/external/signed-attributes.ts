import { cmsAttribute, der, expectTag, octetStringValue, Oid, oidOf, readDer, signedAttributesSet, Tag, type Asn1Element } from '@as2-partners/pki';
import type { DigestAlgorithm } from '../crypto/algorithms';
import { As2Error } from '../errors/as2-error';

const digestLengths: Record<DigestAlgorithm, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/** The DER SET OF signed attributes an AS2 signature covers (RFC 5652 §5.4): content-type, signing-time, message-digest. */
export function buildSignedAttributes(contentDigest: Buffer, signingTime: Date): Buffer {
  return signedAttributesSet(
    cmsAttribute(Oid.contentTypeAttribute, der.oid(Oid.data)),
    cmsAttribute(Oid.signingTimeAttribute, der.utcTime(signingTime)),
    cmsAttribute(Oid.messageDigestAttribute, der.octetString(contentDigest)),
  );
}

function readTime(element: Asn1Element): Date | undefined {
  const text = element.content.toString('latin1');
  const utc = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (element.tag === Tag.utcTime && utc) {
    const year = Number(utc[1]) + (Number(utc[1]) < 50 ? 2000 : 1900);
    return new Date(Date.UTC(year, Number(utc[2]) - 1, Number(utc[3]), Number(utc[4]), Number(utc[5]), Number(utc[6])));
  }
  const general = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (element.tag === Tag.generalizedTime && general) {
    return new Date(Date.UTC(Number(general[1]), Number(general[2]) - 1, Number(general[3]), Number(general[4]), Number(general[5]), Number(general[6])));
  }
  return undefined;
}

function refuse(reason: string): never {
  throw new As2Error('INVALID_ARGUMENT', `The bytes to sign are not CMS signed attributes this signer accepts: ${reason}.`);
}

/**
 * What a keystore checks before it signs bytes a caller sent: a DER SET OF CMS attributes with a content-type, a
 * message-digest as long as the algorithm's digest and a signing-time near its own clock. So the signing route is not
 * a general RSA oracle (it cannot be made to sign a certificate, a CSR or a TLS transcript), only CMS signatures.
 */
export function checkSignedAttributes(signedAttributes: Buffer, algorithm: DigestAlgorithm, now: Date, toleranceMs: number): void {
  try {
    checkAttributes(readDer(signedAttributes), algorithm, now, toleranceMs);
  } catch (error) {
    if (error instanceof As2Error) throw error;
    refuse(`malformed DER (${error instanceof Error ? error.message : 'unreadable'})`);
  }
}

function checkAttributes(set: Asn1Element, algorithm: DigestAlgorithm, now: Date, toleranceMs: number): void {
  if (set.tag !== Tag.set) refuse('not a DER SET OF attributes');
  const values = new Map<string, readonly Asn1Element[]>();
  for (const attribute of set.children) {
    if (attribute.tag !== Tag.sequence || attribute.children.length !== 2 || attribute.children[1].tag !== Tag.set) refuse('an attribute is not a SEQUENCE { type, SET OF values }');
    const type = oidOf(attribute.children[0], 'attribute type');
    if (values.has(type)) refuse(`attribute ${type} appears twice`);
    values.set(type, attribute.children[1].children);
  }
  const one = (oid: string, name: string): Asn1Element => {
    const found = values.get(oid);
    if (!found || found.length !== 1) refuse(`exactly one ${name} value is required`);
    return found[0];
  };
  one(Oid.contentTypeAttribute, 'content-type');
  const digest = octetStringValue(expectTag(one(Oid.messageDigestAttribute, 'message-digest'), Tag.octetString, 'message-digest'));
  if (digest.length !== digestLengths[algorithm]) refuse(`the message-digest is ${digest.length} bytes, a ${algorithm.toUpperCase()} digest is ${digestLengths[algorithm]}`);
  const signingTime = readTime(one(Oid.signingTimeAttribute, 'signing-time'));
  if (!signingTime) refuse('the signing-time is not a UTCTime or GeneralizedTime in UTC');
  if (Math.abs(signingTime.getTime() - now.getTime()) > toleranceMs) {
    refuse(`the signing-time ${signingTime.toISOString()} is more than ${Math.round(toleranceMs / 1000)} s from the signer's clock (${now.toISOString()})`);
  }
}
