import { EXTENSION_OIDS } from '@as2-partners/pki';
import { assertCertificateAcceptable } from './certificate-acceptance';
import type { CertificateDetails, CertificateSummary } from './certificate-details';
import { orderCertificateChain } from './certificate-chain';
import { certificateTooLarge, invalidCertificate } from './certificate-reading.errors';
import { type ParsedCertificate, parseCertificateDer } from './parsed-certificate';
import { looksLikePem, readPemCertificateBlocks } from './pem-certificate-blocks';
import { isSha1Signature } from './signature-strength.rule';

export interface CertificateUploadLimits {
  /** Default 256 KiB. */
  readonly maxBytes?: number;
  /** Most certificates one upload may hold, leaf included; default 10. */
  readonly maxChainLength?: number;
}

export const DEFAULT_MAX_CERTIFICATE_UPLOAD_BYTES = 256 * 1024;
export const DEFAULT_MAX_CHAIN_LENGTH = 10;

/**
 * Reads an uploaded certificate (PEM, DER, or a PEM bundle with its chain) and checks its structure, chain and the
 * rules every certificate must meet (certificate-acceptance.ts).
 * Raises DomainError CERTIFICATE_TOO_LARGE | PRIVATE_KEY_NOT_ALLOWED | INVALID_CERTIFICATE | CERTIFICATE_TRAILING_DATA | INVALID_CERTIFICATE_CHAIN |
 * CERTIFICATE_WEAK_SIGNATURE | CERTIFICATE_WEAK_PUBLIC_EXPONENT | CERTIFICATE_UNSUPPORTED_CRITICAL_EXTENSION | CERTIFICATE_VALIDITY_OUT_OF_RANGE.
 */
export function readCertificateUpload(input: Buffer, options: CertificateUploadLimits = {}): CertificateDetails {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CERTIFICATE_UPLOAD_BYTES;
  const maxChainLength = options.maxChainLength ?? DEFAULT_MAX_CHAIN_LENGTH;
  if (input.length > maxBytes) throw certificateTooLarge(`The upload is larger than ${maxBytes} bytes`, { max_bytes: maxBytes });
  if (input.length === 0) throw invalidCertificate('The upload is empty');

  let ders: Buffer[];
  if (looksLikePem(input)) ders = readPemCertificateBlocks(input, maxChainLength);
  else if (input[0] === 0x30) ders = [input];
  else throw invalidCertificate('The upload is neither a PEM nor a DER certificate');

  const certificates = ders.map(parseCertificateDer);
  // Before the chain is verified, so that a signature OpenSSL no longer computes (MD2, MD4) gets its precise code.
  const bundle = new Set(certificates.map((certificate) => certificate.summary.fingerprintSha256)).size > 1;
  for (const certificate of certificates) assertCertificateAcceptable(certificate, !(bundle && isSelfIssued(certificate)));
  const { leaf, chain, leafSelfSigned } = orderCertificateChain(certificates);
  const reliedSignatures = [leaf, ...chain.filter((issuer) => !isSelfIssued(issuer))];
  return {
    ...leaf.summary,
    keyAlgorithm: leaf.publicKey.keyAlgorithm,
    keySize: leaf.publicKey.keySize,
    rsaPssOnly: leaf.publicKey.rsaPssOnly,
    signatureAlgorithm: leaf.facts.signatureAlgorithm,
    keyUsage: leaf.facts.keyUsage,
    extendedKeyUsage: leaf.facts.extendedKeyUsage,
    extendedKeyUsageCritical: leaf.facts.extensions.get(EXTENSION_OIDS.extendedKeyUsage)?.critical === true,
    isCa: leaf.facts.isCa,
    selfSigned: leafSelfSigned,
    chain: chain.map((issuer): CertificateSummary => ({ ...issuer.summary })),
    sha1SignedSubjects: reliedSignatures.filter((certificate) => isSha1Signature(certificate.facts)).map((certificate) => certificate.summary.subject),
  };
}

function isSelfIssued(certificate: ParsedCertificate): boolean {
  return certificate.summary.subject === certificate.summary.issuer;
}
