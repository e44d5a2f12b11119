import type { ReadModelStore } from '@as2-partners/kernel';
import { KnownPartnerCollections, type KnownPartnerDocument } from '../reactions/partner-registry-events/known-partner.document';
import type { SigningAlgorithmOf } from '../schedules/rollover-activation/rollover-activation';

/**
 * A partner's signing algorithm now, from this service's copy of the registry's partners (a master partner's own, not
 * a tenant's override): what a scheduled certificate's key is checked against when it becomes current. Undefined for a
 * partner not known here or deleted.
 */
export function signingAlgorithmsFrom(readModels: ReadModelStore): SigningAlgorithmOf {
  const partners = readModels.collection<KnownPartnerDocument>(KnownPartnerCollections.partners);
  return async (partnerId) => {
    const partner = await partners.get(partnerId);
    return partner && !partner.deleted ? partner.signAlgorithm : undefined;
  };
}
