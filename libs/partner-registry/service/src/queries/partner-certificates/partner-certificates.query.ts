import { Inject, Injectable } from '@nestjs/common';
import { READ_MODEL_STORE, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import type { PartnerViewDocument } from '../partner-views/partner-view.document';
import type { SlotName } from '../../reactions/certificate-lifecycle-events/certificate-lifecycle-events';
import {
  CERTIFICATE_STATUS_INDEXES,
  PARTNER_CERTIFICATE_INDEXES,
  PartnerCertificateCollections,
  type CertificateStatusDocument,
  type PartnerCertificateDocument,
  type PartnerSlotsDocument,
} from './partner-certificate.documents';
import { emptyPartnerSlots, slotsOf } from './partner-slots';

/** Whose certificates to show: a tenant's own partner, or a master partner (tenant null) for its account. */
export interface CertificateOwner {
  readonly account: string;
  readonly tenant: string | null;
  readonly partnerId: string;
}

/** A tenant sees an inherited partner with the certificates attached to the master, at account level. */
export function certificateOwnerOf(view: PartnerViewDocument): CertificateOwner {
  if (view.type === 'inherited') return { account: view.account, tenant: null, partnerId: view.masterPartnerId ?? view.partnerId };
  return { account: view.account, tenant: view.tenant, partnerId: view.partnerId };
}

export interface PartnerCertificateView {
  readonly certificateId: string;
  readonly name: string;
  readonly type: string;
  readonly usage: string;
  readonly subject: string;
  readonly active: boolean;
  readonly notAfter: string;
  readonly createdAt: string;
  readonly slots: readonly SlotName[];
}

@Injectable()
export class PartnerCertificatesQuery {
  private readonly partnerCertificates: ReadModelCollection<PartnerCertificateDocument>;
  private readonly partnerSlots: ReadModelCollection<PartnerSlotsDocument>;
  private readonly statuses: ReadModelCollection<CertificateStatusDocument>;

  constructor(@Inject(READ_MODEL_STORE) readModels: ReadModelStore) {
    this.partnerCertificates = readModels.collection(PartnerCertificateCollections.partnerCertificates, PARTNER_CERTIFICATE_INDEXES);
    this.partnerSlots = readModels.collection(PartnerCertificateCollections.partnerSlots);
    this.statuses = readModels.collection(PartnerCertificateCollections.certificateStatuses, CERTIFICATE_STATUS_INDEXES);
  }

  /**
   * What became of the `certificate_id` the partner was created with: refused (why), else linked once a slot holds it,
   * else pending. `slotsRecorded` false: the caller knows the owner has no slot record (nothing to read).
   */
  async certificateLinkOf(owner: CertificateOwner, certificateId: string | null | undefined, certificates: readonly PartnerCertificateView[], slotsRecorded = true) {
    if (!certificateId) return null;
    const refused = slotsRecorded ? (await this.partnerSlots.get(owner.partnerId))?.linkRefused : undefined;
    if (refused && refused.certificateId === certificateId) {
      return { certificate_id: certificateId, status: 'refused' as const, error: { code: refused.code, message: refused.reason } };
    }
    const linked = certificates.some((c) => c.certificateId === certificateId && c.slots.length > 0);
    return { certificate_id: certificateId, status: linked ? ('linked' as const) : ('pending' as const), error: null };
  }

  /** The owner's certificates, oldest first (created_at, then id); deleted ones are gone. */
  async certificatesOf(owner: CertificateOwner): Promise<PartnerCertificateView[]> {
    const [attached, slotsDoc] = await Promise.all([
      this.partnerCertificates.find({
        filter: { partnerId: owner.partnerId, account: owner.account, tenant: owner.tenant },
        sort: { createdAt: 1, certificateId: 1 },
      }),
      this.partnerSlots.get(owner.partnerId),
    ]);
    if (attached.items.length === 0) return [];
    const statuses = await this.statuses.find({ filter: { certificateId: { $in: attached.items.map((doc) => doc.certificateId) } } });
    const statusOf = new Map(statuses.items.map((status) => [status.certificateId, status]));
    const slots = slotsDoc ?? emptyPartnerSlots();
    return attached.items
      .filter((doc) => !statusOf.get(doc.certificateId)?.deleted)
      .map((doc) => ({
        certificateId: doc.certificateId,
        name: doc.name,
        type: doc.type,
        usage: doc.usage,
        subject: doc.subject,
        active: !doc.retired && !slots.removed && !statusOf.get(doc.certificateId)?.inactive,
        notAfter: doc.notAfter,
        createdAt: doc.createdAt,
        slots: slotsOf(slots, doc.certificateId),
      }));
  }
}
