import { randomUUID } from 'node:crypto';
import type { EventMetadata, RecordedEvent } from '@as2-partners/kernel';
import type { AttachedCertificateFacts, SlotName } from './certificate-lifecycle-events';

/**
 * For tests: writes certificate-lifecycle events as that service's outbox relay would publish them (streams,
 * revisions counting from 0 per stream, increasing positions), so a test can deliver, redeliver and reorder them.
 */
export class CertificateLifecycleEventFeed {
  private readonly revisions = new Map<string, number>();
  private position = 1_000_000;

  constructor(
    private readonly account: string,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  attached(partnerId: string, tenant: string | null, certificate: AttachedCertificateFacts): RecordedEvent {
    const data = { partnerId, account: this.account, tenant, certificate: { ...certificate, notBefore: certificate.createdAt, fingerprintSha256: 'ab'.repeat(32) }, attachedAt: this.now() };
    return this.partnerEvent(partnerId, 'partner_certificates.certificate_attached.v1', data, tenant);
  }

  slotAssigned(partnerId: string, slot: SlotName, certificateId: string): RecordedEvent {
    return this.partnerEvent(partnerId, 'partner_certificates.slot_assigned.v1', { partnerId, slot, certificateId, previousCertificateId: null, cause: 'manual', assignedAt: this.now() });
  }

  signatureFollowsEncryption(partnerId: string): RecordedEvent {
    return this.partnerEvent(partnerId, 'partner_certificates.signature_follows_encryption.v1', { partnerId, previousCertificateId: null, changedAt: this.now() });
  }

  backupActivated(partnerId: string, slot: SlotName, certificateId: string): RecordedEvent {
    const at = this.now();
    const trigger = { type: 'scheduler', actor: 'scheduler-test' };
    return this.partnerEvent(partnerId, 'partner_certificates.backup_activated.v1', { partnerId, slot, certificateId, previousCertificateId: null, scheduledFor: at, activatedAt: at, lateByMs: 0, trigger });
  }

  trustActivated(partnerId: string, certificateId: string, slots: readonly SlotName[]): RecordedEvent {
    const at = this.now();
    return this.partnerEvent(partnerId, 'trust.activated.v1', { partnerId, certificateId, slots, previousCertificateIds: {}, activatedAt: at, scheduledFor: at, lateByMs: 0, overlapUntil: at });
  }

  trustRetired(partnerId: string, certificateIds: readonly string[]): RecordedEvent {
    return this.partnerEvent(partnerId, 'trust.retired.v1', { partnerId, certificateIds, overlapUntil: this.now(), forced: false, reason: null, retiredAt: this.now() });
  }

  partnerRemoved(partnerId: string, certificateIds: readonly string[]): RecordedEvent {
    return this.partnerEvent(partnerId, 'partner_certificates.partner_removed.v1', { partnerId, certificateIds, removedAt: this.now() });
  }

  deactivated(certificateId: string, partnerId: string): RecordedEvent {
    return this.certificateEvent(certificateId, 'certificate.deactivated.v1', { certificateId, partnerId, reason: 'partner_deleted', deactivatedAt: this.now() });
  }

  retired(certificateId: string, partnerId: string): RecordedEvent {
    return this.certificateEvent(certificateId, 'certificate.retired.v1', { certificateId, partnerId, forced: false, reason: null, retiredAt: this.now() });
  }

  deleted(certificateId: string): RecordedEvent {
    return this.certificateEvent(certificateId, 'certificate.deleted.v1', { certificateId, deletedAt: this.now() });
  }

  event(stream: string, type: string, data: unknown, tenant: string | null = null): RecordedEvent {
    const revision = (this.revisions.get(stream) ?? -1) + 1;
    this.revisions.set(stream, revision);
    this.position += 1;
    const metadata: EventMetadata = {
      account: this.account,
      tenant,
      correlationId: randomUUID(),
      causationId: null,
      actor: { type: 'service', id: 'certificate-lifecycle' },
      occurredAt: this.now(),
    };
    return { id: randomUUID(), type, schemaVersion: 1, data, metadata, stream, revision, position: this.position };
  }

  private partnerEvent(partnerId: string, type: string, data: unknown, tenant: string | null = null): RecordedEvent {
    return this.event(`partner_certificates-${partnerId}`, type, data, tenant);
  }

  private certificateEvent(certificateId: string, type: string, data: unknown): RecordedEvent {
    return this.event(`certificate-${certificateId}`, type, data);
  }
}
