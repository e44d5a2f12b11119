import { categoryOf, type RecordedEvent } from '@as2-partners/kernel';
import { CertificateLifecycleEventTypes, type CertificateLifecycleConsumedType } from './certificate-lifecycle-event-types';
import type {
  BackupActivatedPayload,
  BackupCancelledPayload,
  BackupScheduledPayload,
  CertificateAttachedPayload,
  PartnerCertificatesRemovedPayload,
  RolloverScheduledPayload,
  TrustActivatedPayload,
} from './certificate-lifecycle-payloads';
import { PARTNER_CERTIFICATES_STREAM_CATEGORY } from './certificate-lifecycle-topic';

type Read<T extends CertificateLifecycleConsumedType, D> = { readonly type: T; readonly data: D };

/** One event of a partner's `partner_certificates-<partnerId>` stream that says what is attached or pending. */
export type PartnerCertificatesEventReading = (
  | Read<'partner_certificates.certificate_attached.v1', CertificateAttachedPayload>
  | Read<'partner_certificates.partner_removed.v1', PartnerCertificatesRemovedPayload>
  | Read<'partner_certificates.backup_scheduled.v1', BackupScheduledPayload>
  | Read<'partner_certificates.backup_cancelled.v1', BackupCancelledPayload>
  | Read<'partner_certificates.backup_activated.v1', BackupActivatedPayload>
  | Read<'trust.rollover_scheduled.v1', RolloverScheduledPayload>
  | Read<'trust.activated.v1', TrustActivatedPayload>
) & {
  readonly partnerId: string;
  /** Who the partner belongs to: the payload's owner where it names one, else the envelope's (`tenant: null`: a master partner). */
  readonly account: string;
  readonly tenant: string | null;
  /** The event's place in the partner's stream: events of one partner apply in this order. */
  readonly revision: number;
};

const READ_TYPES: ReadonlySet<string> = new Set([...CertificateLifecycleEventTypes.partnerCertificates, ...CertificateLifecycleEventTypes.scheduledActivation]);

/** The event as a partner's certificates or pending activations, or null for any other event (another stream, another type). */
export function readPartnerCertificatesEvent(event: RecordedEvent): PartnerCertificatesEventReading | null {
  if (!READ_TYPES.has(event.type) || categoryOf(event.stream) !== PARTNER_CERTIFICATES_STREAM_CATEGORY) return null;
  const data = event.data as { partnerId: string; account?: string; tenant?: string | null };
  return {
    type: event.type,
    data: event.data,
    partnerId: data.partnerId,
    account: data.account ?? event.metadata.account,
    tenant: data.tenant === undefined ? event.metadata.tenant : data.tenant,
    revision: event.revision,
  } as PartnerCertificatesEventReading;
}
