import {
  CERTIFICATE_LIFECYCLE_EVENT_TYPES,
  CertificateLifecycleStreams,
  type BackupActivated,
  type BackupCancelled,
  type BackupScheduled,
  type CertificateAttached,
  type PartnerCertificatesEvent,
  type PartnerRemoved,
  type RolloverScheduled,
  type TrustActivated,
} from '@as2-partners/certificate-lifecycle-domain';
import {
  CertificateLifecycleEventTypes,
  PARTNER_CERTIFICATES_STREAM_CATEGORY,
  type BackupActivatedPayload,
  type BackupCancelledPayload,
  type BackupScheduledPayload,
  type CertificateAttachedPayload,
  type PartnerCertificatesRemovedPayload,
  type RolloverScheduledPayload,
  type TrustActivatedPayload,
} from '@as2-partners/certificate-lifecycle-contract';
import { categoryOf } from '@as2-partners/kernel';

/** Compiles only while every payload this context writes is one the contract describes (a renamed or retyped field fails `tsc`). */
type Describes<Written, Read> = Written extends Read ? true : never;
const payloadsFit: [
  Describes<CertificateAttached['data'], CertificateAttachedPayload>,
  Describes<PartnerRemoved['data'], PartnerCertificatesRemovedPayload>,
  Describes<BackupScheduled['data'], BackupScheduledPayload>,
  Describes<BackupCancelled['data'], BackupCancelledPayload>,
  Describes<BackupActivated['data'], BackupActivatedPayload>,
  Describes<RolloverScheduled['data'], RolloverScheduledPayload>,
  Describes<TrustActivated['data'], TrustActivatedPayload>,
] = [true, true, true, true, true, true, true];

describe('the certificate-lifecycle contract other services read', () => {
  it('lists only types this context writes, all of them events of a partner’s certificates stream', () => {
    // Typed as the partner stream's events: a type of another stream fails `tsc`.
    const listed: readonly PartnerCertificatesEvent['type'][] = [...CertificateLifecycleEventTypes.partnerCertificates, ...CertificateLifecycleEventTypes.scheduledActivation];
    const written = new Set<string>(CERTIFICATE_LIFECYCLE_EVENT_TYPES);
    expect(listed.filter((type) => !written.has(type))).toEqual([]);
    expect(categoryOf(CertificateLifecycleStreams.partnerCertificates('prt_1'))).toBe(PARTNER_CERTIFICATES_STREAM_CATEGORY);
    expect(payloadsFit.every(Boolean)).toBe(true);
  });
});
