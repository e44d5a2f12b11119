import { DomainError } from '@as2-partners/kernel';
import { CertificateReadingErrorCode } from './certificate-reading.errors';
import { type CertificateExtension, EXTENSION_OIDS } from '@as2-partners/pki';

/** RFC 5280 4.2: the extensions every conforming application must recognise; OpenSSL, which verifies for the gateway, processes all of them. */
const RECOGNISED_CRITICAL_EXTENSIONS: ReadonlySet<string> = new Set([
  EXTENSION_OIDS.keyUsage,
  EXTENSION_OIDS.certificatePolicies,
  EXTENSION_OIDS.subjectAltName,
  EXTENSION_OIDS.basicConstraints,
  EXTENSION_OIDS.nameConstraints,
  EXTENSION_OIDS.policyConstraints,
  EXTENSION_OIDS.extendedKeyUsage,
  EXTENSION_OIDS.inhibitAnyPolicy,
]);

/** CERTIFICATE_UNSUPPORTED_CRITICAL_EXTENSION: RFC 5280 4.2 says a certificate with a critical extension its user does not recognise must be rejected. */
export function assertCriticalExtensionsRecognised(certificate: { readonly subject: string; readonly extensions: ReadonlyMap<string, CertificateExtension> }): void {
  for (const [oid, extension] of certificate.extensions) {
    if (!extension.critical || RECOGNISED_CRITICAL_EXTENSIONS.has(oid)) continue;
    throw new DomainError(
      CertificateReadingErrorCode.CERTIFICATE_UNSUPPORTED_CRITICAL_EXTENSION,
      `The certificate "${certificate.subject}" has the critical extension ${oid}, which validators do not process; it cannot be used`,
      'certificate',
      { subject: certificate.subject, extension: oid },
    );
  }
}
