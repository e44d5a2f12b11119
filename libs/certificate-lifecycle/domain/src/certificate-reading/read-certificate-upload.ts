import type { CertificateDetails, CertificateSummary } from './certificate-details';
import { orderCertificateChain } from './certificate-chain';
import { certificateTooLarge, invalidCertificate } from './certificate-reading.errors';
import { parseCertificateDer } from './parsed-certificate';
import { looksLikePem, readPemCertificateBlocks } from './pem-certificate-blocks';

export interface CertificateUploadLimits {
  /** Default 256 KiB. */
  readonly maxBytes?: number;
  /** Most certificates one upload may hold, leaf included; default 10. */
  readonly maxChainLength?: number;
}

export const DEFAULT_MAX_CERTIFICATE_UPLOAD_BYTES = 256 * 1024;
export const DEFAULT_MAX_CHAIN_LENGTH = 10;

/**
 * Reads an uploaded certificate (PEM, DER, or a PEM bundle with its chain) and checks its structure and chain.
 * Raises DomainError CERTIFICATE_TOO_LARGE | PRIVATE_KEY_NOT_ALLOWED | INVALID_CERTIFICATE | CERTIFICATE_TRAILING_DATA | INVALID_CERTIFICATE_CHAIN.
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

  const { leaf, chain, leafSelfSigned } = orderCertificateChain(ders.map(parseCertificateDer));
  return {
    ...leaf.summary,
    keyAlgorithm: leaf.publicKey.keyAlgorithm,
    keySize: leaf.publicKey.keySize,
    signatureAlgorithm: leaf.structure.signatureAlgorithm,
    keyUsage: leaf.usage.keyUsage,
    extendedKeyUsage: leaf.usage.extendedKeyUsage,
    isCa: leaf.usage.isCa,
    selfSigned: leafSelfSigned,
    chain: chain.map((issuer): CertificateSummary => ({ ...issuer.summary })),
  };
}
