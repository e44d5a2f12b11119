import { SLOT_NAMES, type PartnerStreamEvent, type SlotName } from '../../reactions/certificate-lifecycle-events/certificate-lifecycle-events';

/** Which certificate is current in each of a partner's slots, as the certificate service decided it. */
export interface PartnerSlots {
  readonly encryption: string | null;
  /** Only meaningful while `signatureSetApart`: otherwise signatures are verified with the encryption certificate. */
  readonly signature: string | null;
  readonly signatureSetApart: boolean;
  readonly tls: string | null;
  /** The partner was removed: every certificate of it is inactive and no slot is filled. */
  readonly removed: boolean;
  /** The `certificate_id` the partner was created with, refused by the certificate service (absent: none refused). */
  readonly linkRefused?: { readonly certificateId: string; readonly code: string; readonly reason: string; readonly refusedAt: string } | null;
}

export const emptyPartnerSlots = (): PartnerSlots => ({ encryption: null, signature: null, signatureSetApart: false, tls: null, removed: false });

function withCurrent(slots: PartnerSlots, slot: SlotName, certificateId: string): PartnerSlots {
  if (slot === 'signature') return { ...slots, signature: certificateId, signatureSetApart: true };
  return { ...slots, [slot]: certificateId };
}

/** Folds one event of the partner's stream; the same rules as the certificate service's own state. */
export function evolvePartnerSlots(slots: PartnerSlots, event: PartnerStreamEvent): PartnerSlots {
  switch (event.type) {
    case 'partner_certificates.slot_assigned.v1':
    case 'partner_certificates.backup_activated.v1':
      return withCurrent(slots, event.data.slot, event.data.certificateId);
    case 'partner_certificates.signature_follows_encryption.v1':
      return { ...slots, signature: null, signatureSetApart: false };
    case 'trust.activated.v1': {
      const { slots: moved, certificateId } = event.data;
      // A signature slot following encryption keeps following when both move to the same certificate.
      const followTogether = moved.includes('encryption') && moved.includes('signature') && !slots.signatureSetApart;
      return moved.reduce((next, slot) => (slot === 'signature' && followTogether ? next : withCurrent(next, slot, certificateId)), slots);
    }
    case 'partner_certificates.partner_removed.v1':
      return { ...emptyPartnerSlots(), removed: true };
    case 'partner_certificates.link_refused.v1': {
      const { certificateId, code, reason, refusedAt } = event.data;
      return { ...slots, linkRefused: { certificateId, code, reason, refusedAt } };
    }
    case 'partner_certificates.certificate_attached.v1':
    case 'trust.retired.v1':
      return slots;
  }
}

export function currentIn(slots: PartnerSlots, slot: SlotName): string | null {
  if (slot === 'signature' && !slots.signatureSetApart) return slots.encryption;
  return slots[slot];
}

/** The slots a certificate is current in now, in the fixed order encryption, signature, tls. */
export function slotsOf(slots: PartnerSlots, certificateId: string): SlotName[] {
  return SLOT_NAMES.filter((slot) => currentIn(slots, slot) === certificateId);
}
