export type { CertificateDetails, CertificateKeyAlgorithm, CertificateSummary, KeyUsageName } from './certificate-details';
export { CertificateReadingErrorCode, certificateTooLarge } from './certificate-reading.errors';
export {
  readCertificateUpload,
  DEFAULT_MAX_CERTIFICATE_UPLOAD_BYTES,
  DEFAULT_MAX_CHAIN_LENGTH,
  type CertificateUploadLimits,
} from './read-certificate-upload';
export { assertKeySizeFits, minimumRsaKeySize } from './key-size.rule';
export { assertValidAt } from './validity.rule';
export { assertUsageFits } from './usage.rule';
export { assertKeyServesUsage, signingKeyAlgorithmOf } from './key-type.rule';
export { certificateWarnings, chainValidityWarning, DUPLICATE_CERTIFICATES_NAMED, duplicateCertificateWarning, leafValidityWarning, UploadWarningCode, type UploadWarning } from './upload-warnings';
