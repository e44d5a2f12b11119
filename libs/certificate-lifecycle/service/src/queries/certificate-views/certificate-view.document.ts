import type { CertificateData, CertificateType, CertificateUsage, PartnerCertificatesState, SlotName } from '@as2-partners/certificate-lifecycle-domain';
import type { AttachedCertificate } from '@as2-partners/certificate-lifecycle-domain';
import { PersistentMap } from '@as2-partners/kernel';

export interface SlotUseEntry {
  readonly partnerId: string;
  readonly slot: SlotName;
  readonly role: 'current' | 'backup' | 'next' | 'overlap';
}

/** A certificate's view; which partners use it are its use entries (CertificateUseEntries), one a partner. */
export interface CertificateViewDocument {
  readonly _id: string;
  readonly account: string;
  /** null: account-level (master partners), visible to every tenant of the account. */
  readonly tenant: string | null;
  readonly name: string;
  readonly usage: CertificateUsage;
  readonly type: CertificateType;
  readonly certificate: CertificateData;
  readonly expiresAt: string;
  readonly active: boolean;
  /** The latest expiry notice: 30/14/7/1 (days), 0 = expired, null = none yet. */
  readonly expiryNotice: number | null;
  readonly createdAt: string;
}

/** A partner's certificate state as folded by the domain's evolve, stored with maps as arrays. */
export interface StoredPartnerCertificates extends Omit<PartnerCertificatesState, 'attached'> {
  readonly attached: readonly AttachedCertificate[];
}

export interface PartnerSlotsDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly state: StoredPartnerCertificates;
  /** Earliest pending activation (backup or rollover), ISO-8601 UTC; null when nothing is scheduled. */
  readonly dueAt: string | null;
  readonly updatedAt: string;
}

/**
 * One certificate of one partner, with the certificate's fields a list filters on: a partner's certificates are an
 * index range of these, paged without reading the tenant's other certificates or the partner's beyond the page.
 */
export interface PartnerCertificateDocument {
  /** `${partnerId}/${certificateId}`: within a partner, ordered as the certificate ids are. */
  readonly _id: string;
  readonly partnerId: string;
  readonly certificateId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly usage: CertificateUsage;
  readonly expiresAt: string;
  readonly active: boolean;
  readonly createdAt: string;
}

/** A certificate's entries, one a partner it names. */
export function partnerCertificatesOf(doc: CertificateViewDocument, partnerIds: readonly string[]): PartnerCertificateDocument[] {
  return partnerIds.map((partnerId) => ({
    _id: `${partnerId}/${doc._id}`,
    partnerId,
    certificateId: doc._id,
    account: doc.account,
    tenant: doc.tenant,
    usage: doc.usage,
    expiresAt: doc.expiresAt,
    active: doc.active,
    createdAt: doc.createdAt,
  }));
}

export const CertificateLifecycleCollections = {
  certificates: 'certificate_lifecycle_certificates',
  partnerSlots: 'certificate_lifecycle_partner_slots',
  partnerCertificates: 'certificate_lifecycle_partner_certificates',
  certificateTimelineLinks: 'certificate_lifecycle_certificate_timeline_links',
  partnerNotices: 'certificate_lifecycle_partner_notices',
  certificateUses: 'certificate_lifecycle_certificate_uses',
} as const;

export function storedStateOf(state: PartnerCertificatesState): StoredPartnerCertificates {
  return { ...state, attached: [...state.attached.values()] };
}

/** Documents written before the state had a status carry a `removed` flag instead. */
type StoredBeforeStatus = Omit<StoredPartnerCertificates, 'status'> & { readonly removed: boolean };

export function stateOfStored(stored: StoredPartnerCertificates | StoredBeforeStatus): PartnerCertificatesState {
  const { attached, ...rest } = stored;
  // a persistent map, as a fold makes it: the event applied next attaches in O(1)
  const state = { ...rest, attached: PersistentMap.of(attached.map((c) => [c.certificateId, c] as const)) };
  if ('status' in state) return state;
  const { removed, ...current } = state;
  return { ...current, status: removed ? 'removed' : current.partnerId === null ? 'none' : 'tracked' };
}

/** The earliest instant something must happen for this partner (what the scheduler polls on). */
export function dueAtOf(state: PartnerCertificatesState): string | null {
  const instants = [state.encryption.backup?.activateOn, state.signature.backup?.activateOn, state.tls.backup?.activateOn, state.rollover?.activateAt]
    .filter((t): t is string => typeof t === 'string')
    .map((t) => new Date(t).toISOString())
    .sort();
  return instants[0] ?? null;
}
