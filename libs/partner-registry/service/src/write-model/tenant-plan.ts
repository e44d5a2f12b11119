import type { EventStore } from '@as2-partners/kernel';
import { DEFAULT_PLAN, partnerLimitOf, PartnerRegistryStreams, tenantDecider, tenantDeleted, type PlanLimit } from '@as2-partners/partner-registry-domain';
import { loadState } from '@as2-partners/kernel';

/** The plan a tenant's creates are billed on, from its stream; a tenant the account never registered is `free`, a deleted one creates nothing. */
export async function planLimitOf(store: EventStore, account: string, tenant: string): Promise<PlanLimit> {
  const { state } = await loadState(store, PartnerRegistryStreams.tenant(account, tenant), tenantDecider);
  if (state.status === 'deleted') throw tenantDeleted(tenant);
  const plan = state.status === 'active' ? state.tenant.plan : DEFAULT_PLAN;
  return { plan, limit: partnerLimitOf(plan) };
}
