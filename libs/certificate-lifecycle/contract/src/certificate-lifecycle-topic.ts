/** The service whose topic (`topicOf(...)`, `as2.certificate-lifecycle.events`) carries the certificate-lifecycle's published events. */
export const CERTIFICATE_LIFECYCLE_TOPIC_SERVICE = 'certificate-lifecycle';

/** The stream category of a partner's certificates (`partner_certificates-<partnerId>`): its slots, backups and rollovers, in order. */
export const PARTNER_CERTIFICATES_STREAM_CATEGORY = 'partner_certificates';
