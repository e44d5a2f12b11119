import type { CertificateDetails, CertificateSummary } from '../certificate-reading';
import type { CertificateData, CertificateSummaryData } from './certificate.events';

function summaryData(summary: CertificateSummary): CertificateSummaryData {
  return {
    subject: summary.subject,
    issuer: summary.issuer,
    serial: summary.serial,
    notBefore: summary.notBefore,
    notAfter: summary.notAfter,
    fingerprintSha1: summary.fingerprintSha1,
    fingerprintSha256: summary.fingerprintSha256,
    pem: summary.pem,
  };
}

/** What an upload event records of a read certificate: exactly the event schema's fields, nothing the reader adds later. */
export function toCertificateData(details: CertificateDetails): CertificateData {
  return {
    ...summaryData(details),
    keyAlgorithm: details.keyAlgorithm,
    keySize: details.keySize,
    signatureAlgorithm: details.signatureAlgorithm,
    keyUsage: details.keyUsage ? [...details.keyUsage] : null,
    extendedKeyUsage: details.extendedKeyUsage ? [...details.extendedKeyUsage] : null,
    isCa: details.isCa,
    selfSigned: details.selfSigned,
    chain: details.chain.map(summaryData),
  };
}
