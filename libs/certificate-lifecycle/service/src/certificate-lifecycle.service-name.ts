/** The service's name: its Kafka topic is `as2.certificate-lifecycle.events`. */
export const CERTIFICATE_LIFECYCLE_SERVICE = 'certificate-lifecycle';
