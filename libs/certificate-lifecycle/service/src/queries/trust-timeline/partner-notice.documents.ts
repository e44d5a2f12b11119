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
