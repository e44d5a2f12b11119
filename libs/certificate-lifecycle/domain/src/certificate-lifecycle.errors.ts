import { DomainError, PLAN_UPGRADE_URL } from '@as2-partners/kernel';

/** Every code this context's deciders raise (the certificate reader adds its own); the service maps each to HTTP once. */
export const CertificateLifecycleErrorCode = {
  CertificateNotFound: 'CERTIFICATE_NOT_FOUND',
  CertificateInUse: 'CERTIFICATE_IN_USE',
  CertificateLimitExceeded: 'CERTIFICATE_LIMIT_EXCEEDED',
  CertificateUsageMismatch: 'CERTIFICATE_USAGE_MISMATCH',
  CertificateInactive: 'CERTIFICATE_INACTIVE',
  CertificateNotValidForWindow: 'CERTIFICATE_NOT_VALID_FOR_WINDOW',
  InvalidActivationTime: 'INVALID_ACTIVATION_TIME',
  BackupNotScheduled: 'BACKUP_NOT_SCHEDULED',
  BackupSameCertificate: 'BACKUP_SAME_CERTIFICATE',
  RolloverWindowInvalid: 'ROLLOVER_WINDOW_INVALID',
  RolloverNotScheduled: 'ROLLOVER_NOT_SCHEDULED',
  RolloverSameCertificate: 'ROLLOVER_SAME_CERTIFICATE',
  NothingToRetire: 'NOTHING_TO_RETIRE',
  OverlapNotClosed: 'OVERLAP_NOT_CLOSED',
  RetireReasonRequired: 'RETIRE_REASON_REQUIRED',
  PartnerRemoved: 'PARTNER_NOT_FOUND',
  AccountCertificateReadOnly: 'ACCOUNT_CERTIFICATE_READ_ONLY',
} as const;

export function certificateNotFound(certificateId: string): DomainError {
  return new DomainError(CertificateLifecycleErrorCode.CertificateNotFound, `Certificate ${certificateId} not found`);
}

/**
 * `usedBy`: the uses the caller may see, listed; `hidden`: how many more are other tenants' partners' (an account
 * certificate), counted in the message so a refusal never reads "in use by 0".
 */
export function certificateInUse(certificateId: string, usedBy: readonly { partnerId: string; slot: string; role: string }[], hidden = 0): DomainError {
  const others = hidden > 0 ? ` (${hidden} of them of other tenants' partners, not listed)` : '';
  return new DomainError(
    CertificateLifecycleErrorCode.CertificateInUse,
    `Certificate ${certificateId} is in use by ${usedBy.length + hidden} partner slot(s)${others}: unassign it first`,
    undefined,
    { used_by: usedBy.map((u) => ({ partner_id: u.partnerId, slot: u.slot, role: u.role })) },
  );
}

export function accountCertificateReadOnly(certificateId: string): DomainError {
  return new DomainError(
    CertificateLifecycleErrorCode.AccountCertificateReadOnly,
    `Certificate ${certificateId} belongs to the account: only an account admin deletes it`,
  );
}

export function certificateLimitExceeded(current: number, limit: number, plan: string): DomainError {
  return new DomainError(CertificateLifecycleErrorCode.CertificateLimitExceeded, 'Certificate storage limit exceeded for current plan', undefined, {
    current_certificates: current,
    plan_limit: limit,
    plan,
    upgrade_url: PLAN_UPGRADE_URL,
  });
}

export function usageMismatch(certificateId: string, usage: string, slot: string): DomainError {
  return new DomainError(
    CertificateLifecycleErrorCode.CertificateUsageMismatch,
    `Certificate ${certificateId} has usage ${usage}, which does not fit the ${slot} slot`,
    'certificate_id',
    { usage, slot },
  );
}

export function certificateInactive(certificateId: string): DomainError {
  return new DomainError(CertificateLifecycleErrorCode.CertificateInactive, `Certificate ${certificateId} is inactive and cannot be assigned`, 'certificate_id');
}

/** The previous certificates are still accepted until `until`: refused for a retirement and for another rollover alike. */
export function overlapNotClosed(until: string, message: string): DomainError {
  return new DomainError(CertificateLifecycleErrorCode.OverlapNotClosed, message, undefined, { overlap_until: until });
}

export function partnerRemoved(partnerId: string): DomainError {
  return new DomainError(CertificateLifecycleErrorCode.PartnerRemoved, `Partner ${partnerId} not found`);
}
