import type { EventStore } from '@as2-partners/kernel';
import { masterPartnerDecider, partnerDecider, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import { loadState } from '@as2-partners/kernel';
import type { DirectoryScope } from './partner-directory.service';

/** AS2 ids unique among one tenant's own partners; the plan limit counts these. */
export function tenantDirectoryScope(store: EventStore, account: string, tenant: string): DirectoryScope {
  return {
    stream: PartnerRegistryStreams.tenantDirectory(account, tenant),
    partnerStatus: async (partnerId) => (await loadState(store, PartnerRegistryStreams.partner(partnerId), partnerDecider)).state.status,
  };
}

/** AS2 ids unique among one account's master partners. */
export function masterDirectoryScope(store: EventStore, account: string): DirectoryScope {
  return {
    stream: PartnerRegistryStreams.masterDirectory(account),
    partnerStatus: async (partnerId) =>
      (await loadState(store, PartnerRegistryStreams.masterPartner(partnerId), masterPartnerDecider)).state.status,
  };
}
