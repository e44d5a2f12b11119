import type { WriteModel } from '@as2-partners/kernel';
import {
  masterPartnerDecider,
  partnerDecider,
  partnerNotFound,
  PartnerRegistryStreams,
  type PartnerRecord,
} from '@as2-partners/partner-registry-domain';
import { requireTenant, type RequestContext } from '@as2-partners/platform';

export const PARTNER_ID_PATTERN = /^prt_[0-9A-HJKMNP-TV-Z]{26}$/;

/** The partner id a tenant caller names: one of its own partners, or a master partner of its account. */
export type WriteTarget =
  | { readonly kind: 'tenant'; readonly partner: PartnerRecord }
  | { readonly kind: 'inherited'; readonly master: PartnerRecord };

/** Resolves from the write model, so a write never acts on a stale view; anything not visible to the caller is not found. */
export async function resolveWriteTarget(writeModel: WriteModel, ctx: RequestContext, partnerId: string): Promise<WriteTarget> {
  const tenant = requireTenant(ctx);
  if (!PARTNER_ID_PATTERN.test(partnerId)) throw partnerNotFound(partnerId);
  const own = await writeModel.load(PartnerRegistryStreams.partner(partnerId), partnerDecider);
  if (own.state.status === 'active' && own.state.partner.account === ctx.caller.account && own.state.partner.tenant === tenant) {
    return { kind: 'tenant', partner: own.state.partner };
  }
  const master = await writeModel.load(PartnerRegistryStreams.masterPartner(partnerId), masterPartnerDecider);
  if (master.state.status === 'active' && master.state.partner.account === ctx.caller.account) {
    return { kind: 'inherited', master: master.state.partner };
  }
  throw partnerNotFound(partnerId);
}
