import {
  CERTIFICATE_LIFECYCLE_TOPIC_SERVICE,
  PARTNER_CERTIFICATES_STREAM_CATEGORY,
  readPartnerCertificatesEvent,
  type CertificateSlotName,
  type PartnerCertificatesEventReading,
} from '@as2-partners/certificate-lifecycle-contract';
import {
  BusFollowedProjection,
  categoryOf,
  InProcessEventBus,
  topicOf,
  type BusFollowedProjectionDependencies,
  type BusHistory,
  type EventStore,
  type ReadModelCollection,
  type RecordedEvent,
  holdsNoDocument,
} from '@as2-partners/kernel';

export const SCHEDULED_ACTIVATIONS_GROUP_ID = 'partner-registry.scheduled-activations';
const TOPIC = topicOf(CERTIFICATE_LIFECYCLE_TOPIC_SERVICE);
const SLOTS: readonly CertificateSlotName[] = ['encryption', 'signature', 'tls'];

/** A certificate change the certificate-lifecycle service will make at its time, with no human action. */
export interface ScheduledActivation {
  /** `backup`: one slot switches to its backup; `rollover`: the next certificate takes the slots, the previous ones stay accepted until `overlapUntil`. */
  readonly kind: 'backup' | 'rollover';
  readonly slots: readonly CertificateSlotName[];
  readonly certificateId: string;
  readonly fingerprintSha256: string | null;
  readonly activateAt: string;
  readonly overlapUntil: string | null;
}

interface PendingBackup {
  readonly certificateId: string;
  readonly activateOn: string;
}

interface PendingRollover {
  readonly certificateId: string;
  readonly slots: readonly CertificateSlotName[];
  readonly activateAt: string;
  readonly overlapUntil: string;
}

/** One partner's pending activations, as its `partner_certificates-<id>` stream says up to `revision`. */
interface ScheduledActivationsDocument {
  readonly _id: string;
  readonly account: string;
  /** null: a master partner's (the account's, shared by every tenant that inherits it). */
  readonly tenant: string | null;
  readonly revision: number;
  /** Fingerprints of the partner's attached certificates: a schedule names only the certificate id. */
  readonly certificates: readonly { readonly certificateId: string; readonly fingerprintSha256: string | null }[];
  readonly backups: Partial<Record<CertificateSlotName, PendingBackup>>;
  readonly rollover: PendingRollover | null;
}

/**
 * A partner's pending certificate activations (scheduled backups and the trust rollover), learned from the
 * certificate-lifecycle service's events, for the AS2-id change impact. In embedded mode a first start reads that
 * service's past events from the shared store; with Kafka the new group reads the topic from its start.
 */
export class ScheduledActivationsConsumer extends BusFollowedProjection {
  readonly name = SCHEDULED_ACTIVATIONS_GROUP_ID;
  protected readonly topics = [TOPIC];
  private readonly pending: ReadModelCollection<ScheduledActivationsDocument>;

  constructor(
    followed: BusFollowedProjectionDependencies,
    private readonly store: EventStore,
  ) {
    super(followed);
    this.pending = followed.readModels.collection('partner_registry_scheduled_activations');
  }

  /** The partner's pending activations, soonest first, if the partner is this owner's (tenant null: the account's master partner). */
  async activationsOf(account: string, tenant: string | null, partnerId: string): Promise<ScheduledActivation[]> {
    const doc = await this.pending.get(partnerId);
    if (!doc || doc.account !== account || doc.tenant !== tenant) return [];
    const fingerprintOf = (certificateId: string) => doc.certificates.find((c) => c.certificateId === certificateId)?.fingerprintSha256 ?? null;
    const backups = SLOTS.flatMap((slot): ScheduledActivation[] => {
      const backup = doc.backups[slot];
      if (!backup) return [];
      return [{ kind: 'backup', slots: [slot], certificateId: backup.certificateId, fingerprintSha256: fingerprintOf(backup.certificateId), activateAt: backup.activateOn, overlapUntil: null }];
    });
    const rollover: ScheduledActivation[] = doc.rollover
      ? [{ kind: 'rollover', slots: doc.rollover.slots, certificateId: doc.rollover.certificateId, fingerprintSha256: fingerprintOf(doc.rollover.certificateId), activateAt: doc.rollover.activateAt, overlapUntil: doc.rollover.overlapUntil }]
      : [];
    return [...rollover, ...backups].sort((a, b) => Date.parse(a.activateAt) - Date.parse(b.activateAt));
  }

  /** Embedded mode: the certificate-lifecycle's events are in this process's store. */
  protected override history(): BusHistory | null {
    if (!(this.followed.bus instanceof InProcessEventBus)) return null;
    return { store: this.store, topicOf: (event) => (categoryOf(event.stream) === PARTNER_CERTIFICATES_STREAM_CATEGORY ? TOPIC : null) };
  }

  protected accepts(event: RecordedEvent): boolean {
    return readPartnerCertificatesEvent(event) !== null;
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    const read = readPartnerCertificatesEvent(event);
    if (!read) return;
    const doc = (await this.pending.get(read.partnerId)) ?? emptyOf(read);
    // A partner's events apply in stream order once: a redelivery, or the bus repeating what the history gave, changes nothing.
    if (read.revision <= doc.revision) return;
    await this.pending.put({ ...evolve(doc, read), revision: read.revision });
  }

  protected async clear(): Promise<void> {
    await this.pending.clear();
  }

  protected async isEmpty(): Promise<boolean> {
    return holdsNoDocument(this.pending);
  }
}

function emptyOf(read: PartnerCertificatesEventReading): ScheduledActivationsDocument {
  return { _id: read.partnerId, account: read.account, tenant: read.tenant, revision: -1, certificates: [], backups: {}, rollover: null };
}

/** As the certificate-lifecycle's decider keeps them: one backup per slot and one rollover, each replaced by a newer schedule. */
function evolve(doc: ScheduledActivationsDocument, read: PartnerCertificatesEventReading): ScheduledActivationsDocument {
  switch (read.type) {
    case 'partner_certificates.certificate_attached.v1': {
      const { certificateId, fingerprintSha256 } = read.data.certificate;
      return { ...doc, certificates: [...doc.certificates.filter((c) => c.certificateId !== certificateId), { certificateId, fingerprintSha256: fingerprintSha256 ?? null }] };
    }
    case 'partner_certificates.backup_scheduled.v1':
      return { ...doc, backups: { ...doc.backups, [read.data.slot]: { certificateId: read.data.certificateId, activateOn: read.data.activateOn } } };
    case 'partner_certificates.backup_cancelled.v1':
    case 'partner_certificates.backup_activated.v1':
      return { ...doc, backups: Object.fromEntries(Object.entries(doc.backups).filter(([slot]) => slot !== read.data.slot)) };
    case 'trust.rollover_scheduled.v1':
      return { ...doc, rollover: { certificateId: read.data.nextCertificateId, slots: [...read.data.slots], activateAt: read.data.activateAt, overlapUntil: read.data.overlapUntil } };
    case 'trust.activated.v1':
      return { ...doc, rollover: null };
    case 'partner_certificates.partner_removed.v1':
      return { ...doc, backups: {}, rollover: null };
  }
}
