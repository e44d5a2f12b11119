import { Asn1Type, bytesOf, childrenOf, isUniversal, oidOf, readAsn1Tree } from './asn1-tree';
import { invalidCertificate } from './certificate-reading.errors';
import type { CertificateExtension } from './certificate-structure';
import { EXTENDED_KEY_USAGE_OIDS, EXTENSION_OIDS, KEY_USAGE_BITS } from './x509-names';

export interface UsageExtensions {
  readonly keyUsage: readonly string[] | null;
  readonly extendedKeyUsage: readonly string[] | null;
  readonly isCa: boolean;
}

/** KeyUsage, ExtendedKeyUsage and BasicConstraints, read from the DER directly so that EC and EdDSA certificates work too. */
export function readUsageExtensions(extensions: ReadonlyMap<string, CertificateExtension>): UsageExtensions {
  const keyUsage = extensions.get(EXTENSION_OIDS.keyUsage);
  const extendedKeyUsage = extensions.get(EXTENSION_OIDS.extendedKeyUsage);
  const basicConstraints = extensions.get(EXTENSION_OIDS.basicConstraints);
  return {
    keyUsage: keyUsage ? readKeyUsage(keyUsage.value) : null,
    extendedKeyUsage: extendedKeyUsage ? readExtendedKeyUsage(extendedKeyUsage.value) : null,
    isCa: basicConstraints ? readIsCa(basicConstraints.value) : false,
  };
}

function readKeyUsage(der: Buffer): string[] {
  const bitString = readAsn1Tree(der, 'keyUsage extension');
  const bytes = isUniversal(bitString, Asn1Type.BITSTRING) ? bytesOf(bitString, 'keyUsage extension') : '';
  if (bytes.length === 0 || bytes.charCodeAt(0) > 7) throw invalidCertificate("The certificate's keyUsage extension is malformed");
  return KEY_USAGE_BITS.filter((_, bit) => {
    const byteIndex = 1 + (bit >> 3);
    return byteIndex < bytes.length && (bytes.charCodeAt(byteIndex) & (0x80 >> (bit & 7))) !== 0;
  });
}

function readExtendedKeyUsage(der: Buffer): string[] {
  const sequence = readAsn1Tree(der, 'extendedKeyUsage extension');
  if (!isUniversal(sequence, Asn1Type.SEQUENCE)) throw invalidCertificate("The certificate's extendedKeyUsage extension is malformed");
  return childrenOf(sequence, 'extendedKeyUsage extension').map((purpose) => {
    const oid = oidOf(purpose, 'extendedKeyUsage extension');
    return EXTENDED_KEY_USAGE_OIDS[oid] ?? oid;
  });
}

function readIsCa(der: Buffer): boolean {
  const sequence = readAsn1Tree(der, 'basicConstraints extension');
  if (!isUniversal(sequence, Asn1Type.SEQUENCE)) throw invalidCertificate("The certificate's basicConstraints extension is malformed");
  const [first] = childrenOf(sequence, 'basicConstraints extension');
  return isUniversal(first, Asn1Type.BOOLEAN) && bytesOf(first, 'basicConstraints extension') !== '\x00';
}
