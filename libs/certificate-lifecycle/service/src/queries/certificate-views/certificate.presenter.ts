import type { AttachedCertificate, CertificateSummaryData, UploadWarning } from '@as2-partners/certificate-lifecycle-domain';
import { toApiTimestamp } from '@as2-partners/platform';
import type { PartnerVisibility } from '../../partner-access/partner-access';
import type { CertificateViewDocument } from './certificate-view.document';
import type { CertificateUses } from './certificate-use-entries';

/** A certificate's view with the uses its caller reads (its tenant's partners' and the masters', or every tenant's for an account-level caller). */
export type UsedCertificate = CertificateViewDocument & CertificateUses;

function presentChainMember(summary: CertificateSummaryData) {
  return {
    subject: summary.subject,
    issuer: summary.issuer,
    serial: summary.serial,
    not_before: toApiTimestamp(summary.notBefore),
    expires_at: toApiTimestamp(summary.notAfter),
    fingerprint_sha256: summary.fingerprintSha256,
    pem: summary.pem,
  };
}

/** The partners using a certificate that the caller may see (a shared certificate's other tenants stay hidden). */
export function presentUses(doc: CertificateUses, sees: PartnerVisibility) {
  const usedBy = doc.usedBy.filter((u) => sees(u.partnerId));
  return {
    partner_ids: doc.partnerIds.filter(sees),
    used_by: usedBy.map((u) => ({ partner_id: u.partnerId, slot: u.slot, role: u.role })),
  };
}

/** Every partner id a page of certificates names, to decide visibility in one look-up. */
export function partnerIdsOf(docs: readonly CertificateUses[]): string[] {
  return docs.flatMap((doc) => [...doc.partnerIds, ...doc.usedBy.map((u) => u.partnerId)]);
}

/** A stored certificate in the API's shape (public material only), naming only the partners the caller may see. */
export function presentCertificate(doc: UsedCertificate, sees: PartnerVisibility) {
  const c = doc.certificate;
  return {
    id: doc._id,
    name: doc.name,
    usage: doc.usage,
    type: doc.type,
    scope: doc.tenant === null ? 'account' : 'tenant',
    subject: c.subject,
    issuer: c.issuer,
    serial: c.serial,
    not_before: toApiTimestamp(c.notBefore),
    expires_at: toApiTimestamp(c.notAfter),
    fingerprint_sha1: c.fingerprintSha1,
    fingerprint_sha256: c.fingerprintSha256,
    key_algorithm: c.keyAlgorithm,
    key_size: c.keySize,
    signature_algorithm: c.signatureAlgorithm,
    key_usage: c.keyUsage,
    extended_key_usage: c.extendedKeyUsage,
    is_ca: c.isCa,
    self_signed: c.selfSigned,
    chain: c.chain.map(presentChainMember),
    pem: c.pem,
    active: doc.active,
    ...presentUses(doc, sees),
    expiry_notice_days: doc.expiryNotice,
    created_at: toApiTimestamp(doc.createdAt),
  };
}

/** An upload's answer: the stored certificate, and warnings (`{code, message}`, empty when none) about what was accepted anyway. */
export function presentCertificateUpload(
  upload: { readonly certificate: UsedCertificate; readonly warnings: readonly UploadWarning[] },
  sees: PartnerVisibility,
) {
  return {
    message: 'Certificate uploaded successfully',
    data: presentCertificate(upload.certificate, sees),
    warnings: upload.warnings.map((warning) => ({ code: warning.code, message: warning.message })),
  };
}

/** The short form slots and the trust state show. */
export function presentCertificateSummary(certificate: AttachedCertificate, doc?: CertificateViewDocument) {
  return {
    id: certificate.certificateId,
    name: doc?.name ?? certificate.name,
    usage: certificate.usage,
    type: certificate.type,
    subject: certificate.subject,
    not_before: toApiTimestamp(certificate.notBefore),
    expires_at: toApiTimestamp(certificate.notAfter),
    fingerprint_sha256: certificate.fingerprintSha256,
    active: doc?.active ?? false,
  };
}
