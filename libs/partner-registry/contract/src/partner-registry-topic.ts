/** The service whose topic (`topicOf(...)`, `as2.partner-registry.events`) carries the partner-registry's published events. */
export const PARTNER_REGISTRY_TOPIC_SERVICE = 'partner-registry';
