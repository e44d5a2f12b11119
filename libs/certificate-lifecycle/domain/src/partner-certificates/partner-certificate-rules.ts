import { DomainError } from '@as2-partners/kernel';
import { CertificateLifecycleErrorCode as Code, certificateInactive, overlapNotClosed, usageMismatch } from '../certificate-lifecycle.errors';
import { assertKeyServesUsage, assertKeySizeFits, assertValidAt, type CertificateDetails } from '../certificate-reading';
import { KEY_USAGE_OF_SLOT, usageFitsSlot, type SlotName } from '../certificate-usage';
import type { AttachedCertificate, PartnerCertificatesEvent } from './partner-certificates.events';
import type { CertificateFacts, PartnerRef } from './partner-certificates.commands';
import type { PartnerCertificatesState } from './partner-certificates.state';

/** Milliseconds since the epoch of an ISO-8601 instant: how the decider compares instants. */
export const ms = (iso: string) => new Date(iso).getTime();

function attachedOf(certificate: CertificateFacts): AttachedCertificate {
  const { active: _active, ...attached } = certificate;
  return attached;
}

/** Attaching a certificate the partner does not hold yet: the first step of every command that names one. */
export function attachIfNew(state: PartnerCertificatesState, command: PartnerRef & { certificate: CertificateFacts; now: string }): PartnerCertificatesEvent[] {
  if (state.attached.has(command.certificate.certificateId)) return [];
  return [
    {
      type: 'partner_certificates.certificate_attached.v1',
      data: {
        partnerId: command.partnerId,
        account: command.account,
        tenant: command.tenant,
        certificate: attachedOf(command.certificate),
        attachedAt: command.now,
      },
    },
  ];
}

export function assertAssignable(certificate: CertificateFacts, slot: SlotName): void {
  if (!certificate.active) throw certificateInactive(certificate.certificateId);
  if (!usageFitsSlot(certificate.usage, slot)) throw usageMismatch(certificate.certificateId, certificate.usage, slot);
}

/** The certificate must be valid over [from, to]: a scheduled change must not switch to a certificate that is not valid yet or expires before the window closes. */
export function assertValidThroughout(certificate: CertificateFacts, from: string, to: string): void {
  if (ms(certificate.notBefore) > ms(from) || ms(certificate.notAfter) < ms(to)) {
    throw new DomainError(
      Code.CertificateNotValidForWindow,
      `Certificate ${certificate.certificateId} is valid from ${certificate.notBefore} to ${certificate.notAfter}, which does not cover ${from} to ${to}`,
      'certificate_id',
      { not_before: certificate.notBefore, expires_at: certificate.notAfter, window_start: from, window_end: to },
    );
  }
}

/**
 * Why a scheduled certificate (a backup, a rollover's next) cannot become current at `now`, or null if it can: the
 * `assign` rules again, since the certificate may have been retired, deactivated or run out since it was scheduled.
 */
export function activationRefusal(certificate: CertificateFacts, now: string): DomainError | null {
  if (!certificate.active) return certificateInactive(certificate.certificateId);
  try {
    assertValidAt(certificate, new Date(now));
    return null;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

/**
 * Why a scheduled certificate's key no longer suits the partner, or null: the `assign` rules' key checks (RSA size for
 * the signing algorithm, key type for each slot's use) against the partner's signing algorithm at activation, which may
 * have changed since the certificate was scheduled (SHA1withRSA to SHA256withRSA: 1,024-bit keys no longer do).
 */
export function keyRefusal(details: Pick<CertificateDetails, 'keyAlgorithm' | 'keySize'>, slots: readonly SlotName[], signAlgorithm: string | null): DomainError | null {
  try {
    assertKeySizeFits(details, signAlgorithm);
    for (const slot of slots) assertKeyServesUsage(details, KEY_USAGE_OF_SLOT[slot], signAlgorithm, 'certificate_id');
    return null;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

export function assertActivatable(certificate: CertificateFacts, now: string): void {
  const refusal = activationRefusal(certificate, now);
  if (refusal) throw refusal;
}

/** Another rollover would replace the previous certificates while they are still promised for receiving: retire them first. */
export function assertNoOpenOverlap(state: PartnerCertificatesState, now: string): void {
  const overlap = state.overlap;
  if (overlap && ms(now) < ms(overlap.until)) {
    throw overlapNotClosed(
      overlap.until,
      `The previous certificates are accepted until ${overlap.until}: retire them first (force with a reason before then), then roll over again`,
    );
  }
}
