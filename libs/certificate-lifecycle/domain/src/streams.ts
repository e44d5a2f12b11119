import { ACCOUNT_LEVEL_TENANT } from '@as2-partners/kernel';

/** Stream names of this context; the category (before the first `-`) says which decider owns the stream. */
export const CertificateLifecycleStreams = {
  certificate: (certificateId: string) => `certificate-${certificateId}`,
  partnerCertificates: (partnerId: string) => `partner_certificates-${partnerId}`,
  /** Storage-limit reservations of one tenant, or of the account's own certificates (tenant null). */
  directory: (account: string, tenant: string | null) => `certificate_directory-${account}.${tenant ?? ACCOUNT_LEVEL_TENANT}`,
  /**
   * One alias of our keystore (our private keys) in a tenant: its current, next, previous and retired keys. The parts
   * are URI-encoded and `/`-separated, so no token's account or tenant claim can name another tenant's alias.
   */
  keyAlias: (account: string, tenant: string | null, alias: string) =>
    `key_alias-${[account, tenant ?? '', alias].map(encodeURIComponent).join('/')}`,
} as const;

export const CERTIFICATE_LIFECYCLE_STREAM_CATEGORIES = ['certificate', 'partner_certificates', 'certificate_directory', 'key_alias'] as const;
