import { publicationBarrierToken } from '@as2-partners/platform';

export const PARTNER_REGISTRY_SERVICE = 'partner-registry';

/** Inject to wait, in embedded mode, until this service's events reached other services' in-process subscribers. */
export const PARTNER_REGISTRY_PUBLICATION_BARRIER = publicationBarrierToken(PARTNER_REGISTRY_SERVICE);
