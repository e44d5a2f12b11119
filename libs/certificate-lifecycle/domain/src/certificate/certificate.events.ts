import type { CertificateKeyAlgorithm } from '../certificate-reading';
import type { CertificateType, CertificateUsage } from '../certificate-usage';

/** One X.509 certificate as read from an upload (public material only: no private key ever reaches an event). */
export interface CertificateSummaryData {
  readonly subject: string;
  readonly issuer: string;
  readonly serial: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly fingerprintSha1: string;
  readonly fingerprintSha256: string;
  readonly pem: string;
}

export interface CertificateData extends CertificateSummaryData {
  readonly keyAlgorithm: CertificateKeyAlgorithm;
  readonly keySize: number;
  readonly signatureAlgorithm: string;
  readonly keyUsage: readonly string[] | null;
  readonly extendedKeyUsage: readonly string[] | null;
  readonly isCa: boolean;
  readonly selfSigned: boolean;
  /** Issuers from the uploaded bundle, leaf's issuer first. */
  readonly chain: readonly CertificateSummaryData[];
}

export type CertificateUploaded = {
  readonly type: 'certificate.uploaded.v1';
  readonly data: {
    readonly certificateId: string;
    readonly account: string;
    /** null: an account-level certificate (master partners), shared by the account's tenants. */
    readonly tenant: string | null;
    readonly name: string;
    readonly usage: CertificateUsage;
    readonly type: CertificateType;
    /** The partner it was uploaded for, if any. */
    readonly partnerId: string | null;
    readonly certificate: CertificateData;
    readonly createdAt: string;
  };
};

export type CertificateDeactivated = {
  readonly type: 'certificate.deactivated.v1';
  readonly data: { readonly certificateId: string; readonly partnerId: string; readonly reason: 'partner_deleted'; readonly deactivatedAt: string };
};

export type CertificateRetired = {
  readonly type: 'certificate.retired.v1';
  readonly data: {
    readonly certificateId: string;
    readonly partnerId: string;
    readonly forced: boolean;
    readonly reason: string | null;
    readonly retiredAt: string;
  };
};

export type CertificateDeleted = {
  readonly type: 'certificate.deleted.v1';
  readonly data: { readonly certificateId: string; readonly deletedAt: string };
};

export type CertificateExpiring = {
  readonly type: 'certificate.expiring.v1';
  readonly data: {
    readonly certificateId: string;
    /** The threshold crossed: 30, 14, 7 or 1 days before not_after. */
    readonly thresholdDays: number;
    readonly daysLeft: number;
    readonly notAfter: string;
    readonly usage: CertificateUsage;
    readonly evaluatedAt: string;
  };
};

export type CertificateExpired = {
  readonly type: 'certificate.expired.v1';
  readonly data: { readonly certificateId: string; readonly notAfter: string; readonly usage: CertificateUsage; readonly evaluatedAt: string };
};

export type CertificateEvent =
  | CertificateUploaded
  | CertificateDeactivated
  | CertificateRetired
  | CertificateDeleted
  | CertificateExpiring
  | CertificateExpired;

export const CERTIFICATE_EVENT_TYPES = [
  'certificate.uploaded.v1',
  'certificate.deactivated.v1',
  'certificate.retired.v1',
  'certificate.deleted.v1',
  'certificate.expiring.v1',
  'certificate.expired.v1',
] as const satisfies readonly CertificateEvent['type'][];
