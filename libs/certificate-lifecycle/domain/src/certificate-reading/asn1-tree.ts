import * as forge from 'node-forge';
import { invalidCertificate } from './certificate-reading.errors';
import { MAX_DER_DEPTH, scanDer } from './der-scanner';

export type Asn1 = forge.asn1.Asn1;

interface ForgeDerOptions {
  readonly strict: boolean;
  readonly parseAllBytes: boolean;
  readonly decodeBitStrings: boolean;
  readonly maxDepth: number;
}

// @types/node-forge types only the old boolean form of the second argument.
const fromDer = forge.asn1.fromDer as unknown as (bytes: forge.util.ByteStringBuffer, options: ForgeDerOptions) => Asn1;

/** node-forge's tree of a DER value, after our own scanner has bounded its depth and lengths. */
export function readAsn1Tree(der: Buffer, what: string): Asn1 {
  scanDer(der);
  try {
    return fromDer(forge.util.createBuffer(der.toString('binary')), {
      strict: true,
      parseAllBytes: true,
      decodeBitStrings: false,
      maxDepth: MAX_DER_DEPTH,
    });
  } catch {
    throw invalidCertificate(`The ${what} is not valid DER`);
  }
}

export const Asn1Class = forge.asn1.Class;
export const Asn1Type = forge.asn1.Type;

export function isUniversal(node: Asn1 | undefined, type: number): node is Asn1 {
  return node !== undefined && node.tagClass === Asn1Class.UNIVERSAL && node.type === type;
}

export function isContext(node: Asn1 | undefined, tagNumber: number): node is Asn1 {
  return node !== undefined && node.tagClass === Asn1Class.CONTEXT_SPECIFIC && node.type === tagNumber;
}

/** Children of a constructed node, or the error naming what was expected. */
export function childrenOf(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !Array.isArray(node.value)) throw invalidCertificate(`The certificate's ${what} is malformed`);
  return node.value;
}

/** Content bytes of a primitive node as a forge binary string. */
export function bytesOf(node: Asn1 | undefined, what: string): string {
  if (!node || typeof node.value !== 'string') throw invalidCertificate(`The certificate's ${what} is malformed`);
  return node.value;
}

export function oidOf(node: Asn1 | undefined, what: string): string {
  if (!isUniversal(node, Asn1Type.OID)) throw invalidCertificate(`The certificate's ${what} is malformed`);
  const bytes = bytesOf(node, what);
  if (bytes.length === 0) throw invalidCertificate(`The certificate's ${what} is malformed`);
  return forge.asn1.derToOid(bytes);
}

export function toDerBytes(node: Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}
