import type { WriteModel } from '@as2-partners/kernel';
import { DEFAULT_PLAN, partnerLimitOf, PartnerRegistryStreams, tenantDecider, tenantDeleted, type PlanLimit } from '@as2-partners/partner-registry-domain';

/** The plan a tenant's creates are billed on, from its stream; a tenant the account never registered is `free`, a deleted one creates nothing. */
export async function planLimitOf(writeModel: WriteModel, account: string, tenant: string): Promise<PlanLimit> {
  const { state } = await writeModel.load(PartnerRegistryStreams.tenant(account, tenant), tenantDecider);
  if (state.status === 'deleted') throw tenantDeleted(tenant);
  const plan = state.status === 'active' ? state.tenant.plan : DEFAULT_PLAN;
  return { plan, limit: partnerLimitOf(plan) };
}
