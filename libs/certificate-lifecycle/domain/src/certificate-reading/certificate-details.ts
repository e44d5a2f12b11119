import type { PublicKeyAlgorithm } from '@as2-partners/pki';

/** One certificate as stored and returned: the leaf or a member of its chain. */
export interface CertificateSummary {
  /** RFC 4514: most specific RDN first, ", " separated, e.g. "CN=Acme Corp AS2, O=Acme Corporation, C=US". */
  readonly subject: string;
  readonly issuer: string;
  /** Lowercase hex without colons or DER sign padding. */
  readonly serial: string;
  /** ISO-8601 UTC with milliseconds. */
  readonly notBefore: string;
  readonly notAfter: string;
  /** Lowercase hex over the DER encoding. */
  readonly fingerprintSha1: string;
  readonly fingerprintSha256: string;
  /** Normalised PEM: 64-column base64 and a trailing newline. */
  readonly pem: string;
}

/** The key types an upload may carry; stored in the certificate events, so never narrowed. */
export type CertificateKeyAlgorithm = PublicKeyAlgorithm;

export type { KeyUsageName } from '@as2-partners/pki';

export interface CertificateDetails extends CertificateSummary {
  readonly keyAlgorithm: CertificateKeyAlgorithm;
  /** RSA/DSA modulus bits; EC curve bits (256/384/521); Ed25519 256, Ed448 448. */
  readonly keySize: number;
  /** e.g. "sha256WithRSAEncryption"; a dotted OID when unknown. */
  readonly signatureAlgorithm: string;
  /** null when the extension is absent. */
  readonly keyUsage: readonly string[] | null;
  /** null when absent; unknown purposes as dotted OIDs. */
  readonly extendedKeyUsage: readonly string[] | null;
  /** The extendedKeyUsage extension is marked critical: the key MUST serve only its purposes (RFC 5280 4.2.1.12); read at upload, not stored. */
  readonly extendedKeyUsageCritical?: boolean;
  readonly isCa: boolean;
  /** Subject equals issuer and the signature verifies with the certificate's own key. */
  readonly selfSigned: boolean;
  /** The issuers found in the upload, leaf's issuer first, each verified to have signed the previous one. */
  readonly chain: readonly CertificateSummary[];
  /** The RSA key is an id-RSASSA-PSS key: PSS signatures only, no key transport, no PKCS#1 v1.5 signatures; not stored. */
  readonly rsaPssOnly: boolean;
  /** Subjects of the upload's certificates whose relied-on signature uses SHA-1 (accepted, with a warning); not stored. */
  readonly sha1SignedSubjects: readonly string[];
}
