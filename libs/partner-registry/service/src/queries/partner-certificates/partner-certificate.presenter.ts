import { toApiTimestamp } from '../../api-conventions/api-timestamp';
import type { PartnerCertificateView } from './partner-certificates.query';

/** A certificate in the partner details (seed 002), plus the slots it is current in. */
export function presentPartnerCertificate(view: PartnerCertificateView) {
  return {
    id: view.certificateId,
    name: view.name,
    type: view.type,
    usage: view.usage,
    subject: view.subject,
    active: view.active,
    expires_at: toApiTimestamp(view.notAfter),
    created_at: toApiTimestamp(view.createdAt),
    slots: [...view.slots],
  };
}

export type PresentedPartnerCertificate = ReturnType<typeof presentPartnerCertificate>;
