export const PARTNER_REGISTRY_SERVICE = 'partner-registry';
