import { Inject, Injectable } from '@nestjs/common';
import type { Filter, FindQuery, Page } from '@as2-partners/kernel';
import { stateOfStored, type CertificateViewDocument, type PartnerCertificateDocument } from './certificate-view.document';
import type { PartnerNoticeDocument } from '../trust-timeline/partner-notice.documents';
import { CertificateViewsProjection } from './certificate-views.projection';
import type { UsedCertificate } from './certificate.presenter';
import type { PartnerCertificatesState } from '@as2-partners/certificate-lifecycle-domain';
import { emptyPartnerCertificates } from '@as2-partners/certificate-lifecycle-domain';

export interface CertificateListCriteria {
  readonly account: string;
  /** null: an account-level caller, who sees the account's own certificates. */
  readonly tenant: string | null;
  readonly usage?: string;
  readonly partnerId?: string;
  readonly expiringBefore?: string;
  readonly active?: boolean;
  readonly page: number;
  readonly perPage: number;
}

/** Certificates a caller sees: its tenant's, and the account-level ones shared with every tenant of the account. */
export function visibleTo(account: string, tenant: string | null): Filter {
  return tenant === null ? { account, tenant: null } : { account, $or: [{ tenant }, { tenant: null }] };
}

/**
 * The first `limit` certificates with this SHA-256 fingerprint `visibleTo(account, tenant)`, oldest first: each level
 * (the tenant's, the account's) one range of CERTIFICATE_FINGERPRINT_INDEX in its order, so an upload's duplicate check
 * reads the certificates with that fingerprint only (it walked the tenant's certificates in creation order).
 */
export function certificatesWithFingerprintQuery(account: string, tenant: string | null, fingerprintSha256: string, limit: number): FindQuery {
  return { filter: { $and: [visibleTo(account, tenant), { 'certificate.fingerprintSha256': fingerprintSha256 }] }, sort: { createdAt: 1, _id: 1 }, limit };
}

/**
 * One page of the certificates a caller sees, oldest first, filtered; with a partner, of that partner's entries (the
 * partner certificates collection), else of the certificates, where a usage or an active filter is one range a level
 * of its index in creation order, and an expiry bound one range a level of the expiry index.
 */
export function certificateListQuery(criteria: CertificateListCriteria): FindQuery {
  const conditions: Filter[] = [visibleTo(criteria.account, criteria.tenant)];
  if (criteria.partnerId) conditions.push({ partnerId: criteria.partnerId });
  if (criteria.usage) conditions.push({ usage: criteria.usage });
  if (criteria.expiringBefore) conditions.push({ expiresAt: { $lt: criteria.expiringBefore } });
  if (criteria.active !== undefined) conditions.push({ active: criteria.active });
  return { filter: { $and: conditions }, sort: { createdAt: 1, _id: 1 }, skip: (criteria.page - 1) * criteria.perPage, limit: criteria.perPage };
}

@Injectable()
export class CertificateQueries {
  constructor(@Inject(CertificateViewsProjection) private readonly views: CertificateViewsProjection) {}

  async list(criteria: CertificateListCriteria): Promise<Page<CertificateViewDocument>> {
    const query = certificateListQuery(criteria);
    if (!criteria.partnerId) return this.views.certificates.find(query);
    // a partner's entries are one index range, ordered as its certificates (same createdAt, then ids after one prefix)
    const page = await this.views.partnerCertificates.collection.find(query);
    const ids = page.items.map((entry) => (entry as PartnerCertificateDocument).certificateId);
    const docs = await this.byIds(ids);
    return { items: ids.flatMap((id) => docs.get(id) ?? []), total: page.total };
  }

  /** The newest `limit` certificate notices on a partner's timeline, and how many there are. */
  async newestPartnerNotices(partnerId: string, limit: number): Promise<Page<PartnerNoticeDocument>> {
    return this.views.notices.newest(partnerId, limit);
  }

  /** The first `limit` certificates with this SHA-256 fingerprint among those `visibleTo(account, tenant)`, oldest first, and how many there are. */
  async withFingerprint(account: string, tenant: string | null, fingerprintSha256: string, limit: number): Promise<Page<CertificateViewDocument>> {
    return this.views.certificates.find(certificatesWithFingerprintQuery(account, tenant, fingerprintSha256, limit));
  }

  /** A certificate the caller may see, or null. */
  async findVisible(account: string, tenant: string | null, certificateId: string): Promise<CertificateViewDocument | null> {
    const doc = await this.views.certificates.get(certificateId);
    if (!doc || doc.account !== account) return null;
    if (doc.tenant !== null && doc.tenant !== tenant) return null;
    return doc;
  }

  /**
   * The certificates with the uses a caller of this tenant reads (null: account-level, every tenant's): its own
   * partners' and the master partners', each certificate two index ranges, never another tenant's uses.
   */
  async withUses(tenant: string | null, docs: readonly CertificateViewDocument[]): Promise<UsedCertificate[]> {
    return Promise.all(docs.map(async (doc) => ({ ...doc, ...(await this.views.uses.seenBy(doc._id, tenant)) })));
  }

  /** Whether any partner, of any tenant, holds the certificate in a slot (what a deletion's 409 says). */
  async inUse(certificateId: string): Promise<boolean> {
    return this.views.uses.inUse(certificateId);
  }

  async byIds(ids: readonly string[]): Promise<Map<string, CertificateViewDocument>> {
    if (ids.length === 0) return new Map();
    const page = await this.views.certificates.find({ filter: { _id: { $in: [...new Set(ids)] } } });
    return new Map(page.items.map((doc) => [doc._id, doc]));
  }

  async partnerState(partnerId: string): Promise<PartnerCertificatesState> {
    const doc = await this.views.partnerSlots.get(partnerId);
    return doc ? stateOfStored(doc.state) : emptyPartnerCertificates();
  }
}
