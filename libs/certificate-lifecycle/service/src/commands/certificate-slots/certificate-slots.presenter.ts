import {
  acceptedForReceiving,
  effectiveCurrent,
  type AttachedCertificate,
  type PartnerCertificatesState,
  type SlotName,
} from '@as2-partners/certificate-lifecycle-domain';
import { toApiTimestamp } from '@as2-partners/platform';
import { presentCertificateSummary } from '../../queries/certificate-views/certificate.presenter';
import type { CertificateViewDocument } from '../../queries/certificate-views/certificate-view.document';

export function certificateIdsOf(state: PartnerCertificatesState): string[] {
  const ids = [state.encryption, state.signature, state.tls].flatMap((slot) => [slot.current, slot.backup?.certificateId]);
  ids.push(state.rollover?.nextCertificateId, ...(state.overlap?.previous.map((p) => p.certificateId) ?? []));
  return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
}

/** A certificate as slots and the trust state show it; null for none. */
export function certificateSummaryOf(state: PartnerCertificatesState, docs: ReadonlyMap<string, CertificateViewDocument>, id: string | null | undefined) {
  if (!id) return null;
  const attached: AttachedCertificate | undefined = state.attached.get(id);
  const doc = docs.get(id);
  if (attached) return presentCertificateSummary(attached, doc);
  if (!doc) return { id, name: null, usage: null, type: null, subject: null, not_before: null, expires_at: null, fingerprint_sha256: null, active: false };
  return presentCertificateSummary(
    {
      certificateId: id,
      name: doc.name,
      type: doc.type,
      usage: doc.usage,
      subject: doc.certificate.subject,
      notBefore: doc.certificate.notBefore,
      notAfter: doc.certificate.notAfter,
      fingerprintSha256: doc.certificate.fingerprintSha256,
      createdAt: doc.createdAt,
    },
    doc,
  );
}

/** `{encryption:{current, backup}, signature:{current, backup, use_different}, tls:{current, backup}}`, plus what each slot accepts for receiving now. */
export function presentSlots(state: PartnerCertificatesState, docs: ReadonlyMap<string, CertificateViewDocument>, now: Date) {
  const summary = (id: string | null | undefined) => certificateSummaryOf(state, docs, id);
  const slot = (name: SlotName, backup = state[name].backup) => ({
    current: summary(effectiveCurrent(state, name)),
    backup: backup ? { certificate: summary(backup.certificateId), activate_on: toApiTimestamp(backup.activateOn) } : null,
    accepted_for_receiving: acceptedForReceiving(state, name, now),
  });
  return {
    encryption: slot('encryption'),
    signature: { ...slot('signature'), use_different: state.signature.useDifferent },
    tls: slot('tls'),
  };
}
