/** Stream names of this context; the category (before the first `-`) says which decider owns the stream. */
export const CertificateLifecycleStreams = {
  certificate: (certificateId: string) => `certificate-${certificateId}`,
  partnerCertificates: (partnerId: string) => `partner_certificates-${partnerId}`,
  /** Storage-limit reservations of one tenant, or of the account's own certificates (tenant null). */
  directory: (account: string, tenant: string | null) => `certificate_directory-${account}.${tenant ?? '_account'}`,
} as const;

export const CERTIFICATE_LIFECYCLE_STREAM_CATEGORIES = ['certificate', 'partner_certificates', 'certificate_directory'] as const;
