import type { CertificateData, CertificateType, CertificateUsage, PartnerCertificatesState, SlotName } from '@as2-partners/certificate-lifecycle-domain';
import type { AttachedCertificate } from '@as2-partners/certificate-lifecycle-domain';
import { PersistentMap } from '@as2-partners/kernel';

export interface SlotUseEntry {
  readonly partnerId: string;
  readonly slot: SlotName;
  readonly role: 'current' | 'backup' | 'next' | 'overlap';
}

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
  readonly partnerIds: readonly string[];
  readonly usedBy: readonly SlotUseEntry[];
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
 * index range of these (`partnerIds` is an array, which the embedded store cannot index), paged without reading the
 * tenant's other certificates or the partner's beyond the page.
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
export function partnerCertificatesOf(doc: CertificateViewDocument): PartnerCertificateDocument[] {
  return doc.partnerIds.map((partnerId) => ({
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

/** Certificate events that belong on a partner's timeline (the upload itself shows as the partner's attachment). */
const TIMELINE_NOTICE_TYPES = new Set(['certificate.expiring.v1', 'certificate.expired.v1', 'certificate.deactivated.v1', 'certificate.retired.v1', 'certificate.deleted.v1']);

/**
 * What a partner's timeline needs to know of a certificate, kept under the certificate (`${certificateId}/…`, one id
 * range): a partner it was attached to, or one of its notices (`about`: the partner the notice names, null: none).
 */
export type CertificateTimelineLinkDocument =
  | { readonly _id: string; readonly certificateId: string; readonly kind: 'attached'; readonly partnerId: string }
  | { readonly _id: string; readonly certificateId: string; readonly kind: 'notice'; readonly about: string | null; readonly position: number; readonly revision: number };

/**
 * A certificate notice on a partner's timeline: one of a certificate attached to the partner, naming no partner or this
 * one. Where the stored event is (`revision` in the certificate's stream) and its place among the partner's events.
 */
export interface PartnerNoticeDocument {
  /** `${partnerId}/${certificateId}/${revision}` */
  readonly _id: string;
  readonly partnerId: string;
  readonly certificateId: string;
  readonly revision: number;
  readonly position: number;
}

/** A certificate event's link as a notice on partners' timelines; null when it shows on none. */
export function timelineNoticeOf(event: { readonly type: string; readonly data: unknown; readonly revision: number; readonly position: number }): CertificateTimelineLinkDocument | null {
  if (!TIMELINE_NOTICE_TYPES.has(event.type)) return null;
  const { certificateId, partnerId } = event.data as { certificateId: string; partnerId?: unknown };
  // a partnerId that is no string names no partner: such a notice shows on no timeline
  if (partnerId !== undefined && typeof partnerId !== 'string') return null;
  return { _id: `${certificateId}/notice/${event.revision}`, certificateId, kind: 'notice', about: partnerId ?? null, position: event.position, revision: event.revision };
}

export function attachedLinkOf(certificateId: string, partnerId: string): CertificateTimelineLinkDocument {
  return { _id: `${certificateId}/attached/${partnerId}`, certificateId, kind: 'attached', partnerId };
}

/** The partners' notices one certificate's links make: each notice on each partner it was attached to that it names or leaves unnamed. */
export function partnerNoticesOf(links: readonly CertificateTimelineLinkDocument[]): PartnerNoticeDocument[] {
  const partners = links.flatMap((link) => (link.kind === 'attached' ? [link.partnerId] : []));
  return links.flatMap((notice) =>
    notice.kind !== 'notice'
      ? []
      : partners
          .filter((partnerId) => notice.about === null || notice.about === partnerId)
          .map((partnerId) => ({ _id: `${partnerId}/${notice.certificateId}/${notice.revision}`, partnerId, certificateId: notice.certificateId, revision: notice.revision, position: notice.position })),
  );
}

export const CertificateLifecycleCollections = {
  certificates: 'certificate_lifecycle_certificates',
  partnerSlots: 'certificate_lifecycle_partner_slots',
  partnerCertificates: 'certificate_lifecycle_partner_certificates',
  certificateTimelineLinks: 'certificate_lifecycle_certificate_timeline_links',
  partnerNotices: 'certificate_lifecycle_partner_notices',
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
