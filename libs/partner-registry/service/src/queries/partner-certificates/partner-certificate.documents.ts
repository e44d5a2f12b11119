import type { PartnerSlots } from './partner-slots';

export const PartnerCertificateCollections = {
  /** One per partner × certificate attached to it. */
  partnerCertificates: 'partner_registry_partner_certificates',
  /** One per partner: its slot state and the last revision of its certificate stream applied. */
  partnerSlots: 'partner_registry_partner_certificate_slots',
  /** One per certificate that was deactivated, retired or deleted (the deleted ones are tombstones). */
  certificateStatuses: 'partner_registry_certificate_statuses',
} as const;

export interface PartnerCertificateDocument {
  readonly _id: string;
  readonly partnerId: string;
  readonly certificateId: string;
  readonly account: string;
  /** null: attached to a master partner (account level). */
  readonly tenant: string | null;
  readonly name: string;
  readonly type: string;
  readonly usage: string;
  readonly subject: string;
  readonly notAfter: string;
  readonly createdAt: string;
  readonly attachedAt: string;
  /** Retired for this partner after a trust rollover's overlap, until the partner makes it current again. */
  readonly retired: boolean;
}

export interface PartnerSlotsDocument extends PartnerSlots {
  readonly _id: string;
  readonly partnerId: string;
  /** Revision of the last `partner_certificates-<partnerId>` event applied: redelivered ones are at or below it. */
  readonly revision: number;
}

export interface CertificateStatusDocument {
  readonly _id: string;
  readonly certificateId: string;
  /** Deactivated (its partner was deleted) or retired: inactive for every partner it is attached to. */
  readonly inactive: boolean;
  readonly deleted: boolean;
}

export const partnerCertificateIdOf = (partnerId: string, certificateId: string): string => `${partnerId}|${certificateId}`;

export const PARTNER_CERTIFICATE_INDEXES = [['partnerId', 'account', 'tenant'], ['certificateId']] as const;
export const CERTIFICATE_STATUS_INDEXES = [['certificateId']] as const;
