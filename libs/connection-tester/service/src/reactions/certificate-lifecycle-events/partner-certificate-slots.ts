export type SlotName = 'encryption' | 'signature' | 'tls';

/** A partner's current certificates per slot, and the next ones (rollover window or scheduled backup). */
export interface PartnerCertificatesDocument {
  readonly _id: string;
  readonly encryption: string | null;
  /** Only meaningful while `signatureSetApart`: otherwise signatures are verified with the encryption certificate. */
  readonly signature: string | null;
  readonly signatureSetApart: boolean;
  readonly tls: string | null;
  readonly next: Readonly<Partial<Record<SlotName, string>>>;
}

/** One uploaded certificate's public PEM (no private key ever reaches an event). */
export interface TesterCertificateDocument {
  readonly _id: string;
  readonly pem: string;
  readonly notAfter: string;
}

export const emptyPartnerCertificates = (partnerId: string): PartnerCertificatesDocument => ({
  _id: partnerId,
  encryption: null,
  signature: null,
  signatureSetApart: false,
  tls: null,
  next: {},
});

function withCurrent(doc: PartnerCertificatesDocument, slot: SlotName, certificateId: string): PartnerCertificatesDocument {
  if (slot === 'signature') return { ...doc, signature: certificateId, signatureSetApart: true };
  return { ...doc, [slot]: certificateId };
}

function withoutNext(doc: PartnerCertificatesDocument, slots: readonly SlotName[]): PartnerCertificatesDocument {
  const next = { ...doc.next };
  for (const slot of slots) delete next[slot];
  return { ...doc, next };
}

/** The fields of the slot events read here (each event carries those its type names). */
interface SlotEventData {
  readonly slot: SlotName;
  readonly slots: readonly SlotName[];
  readonly certificateId: string;
  readonly nextCertificateId: string;
}

/** The certificate service's slot rules, as far as a test needs them (the same as the registry's partner details). */
export function evolvePartnerCertificates(doc: PartnerCertificatesDocument, type: string, data: SlotEventData): PartnerCertificatesDocument {
  switch (type) {
    case 'partner_certificates.slot_assigned.v1':
      return withCurrent(doc, data.slot, data.certificateId);
    case 'partner_certificates.backup_activated.v1':
      return withoutNext(withCurrent(doc, data.slot, data.certificateId), [data.slot]);
    case 'partner_certificates.signature_follows_encryption.v1':
      return { ...doc, signature: null, signatureSetApart: false };
    case 'partner_certificates.backup_scheduled.v1':
      return { ...doc, next: { ...doc.next, [data.slot]: data.certificateId } };
    case 'partner_certificates.backup_cancelled.v1':
      return doc.next[data.slot] === data.certificateId ? withoutNext(doc, [data.slot]) : doc;
    case 'trust.rollover_scheduled.v1':
      return { ...doc, next: { ...doc.next, ...Object.fromEntries((data.slots ?? []).map((slot) => [slot, data.nextCertificateId])) } };
    case 'trust.activated.v1': {
      const moved = data.slots ?? [];
      const followTogether = moved.includes('encryption') && moved.includes('signature') && !doc.signatureSetApart;
      const activated = moved.reduce((next, slot) => (slot === 'signature' && followTogether ? next : withCurrent(next, slot, data.certificateId)), doc);
      return withoutNext(activated, moved);
    }
    case 'partner_certificates.partner_removed.v1':
      return emptyPartnerCertificates(doc._id);
    default:
      return doc;
  }
}

export function currentIn(doc: PartnerCertificatesDocument, slot: SlotName): string | null {
  if (slot === 'signature' && !doc.signatureSetApart) return doc.encryption;
  return doc[slot];
}

/** The certificate a `certificates: "next"` test uses in a slot: the scheduled next one, else the current one. */
export function nextIn(doc: PartnerCertificatesDocument, slot: SlotName): string | null {
  if (slot === 'signature' && !doc.signatureSetApart && !doc.next.signature) return doc.next.encryption ?? doc.encryption;
  return doc.next[slot] ?? currentIn(doc, slot);
}
