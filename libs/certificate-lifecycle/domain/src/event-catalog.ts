import { CERTIFICATE_DIRECTORY_EVENT_TYPES, type CertificateDirectoryEvent } from './certificate-directory/certificate-directory.decider';
import { CERTIFICATE_EVENT_TYPES, type CertificateEvent } from './certificate/certificate.events';
import { OUR_KEY_EVENT_TYPES, type OurKeyEvent } from './our-keys/our-key.events';
import { PARTNER_CERTIFICATES_EVENT_TYPES, type PartnerCertificatesEvent } from './partner-certificates/partner-certificates.events';

export type CertificateLifecycleEvent = CertificateEvent | PartnerCertificatesEvent | CertificateDirectoryEvent | OurKeyEvent;

/** Every event type this context writes (the AsyncAPI document lists the same). */
export const CERTIFICATE_LIFECYCLE_EVENT_TYPES: readonly CertificateLifecycleEvent['type'][] = [
  ...CERTIFICATE_EVENT_TYPES,
  ...PARTNER_CERTIFICATES_EVENT_TYPES,
  ...CERTIFICATE_DIRECTORY_EVENT_TYPES,
  ...OUR_KEY_EVENT_TYPES,
];

const known = new Set<string>(CERTIFICATE_LIFECYCLE_EVENT_TYPES);

export function isCertificateLifecycleEventType(type: string): type is CertificateLifecycleEvent['type'] {
  return known.has(type);
}
