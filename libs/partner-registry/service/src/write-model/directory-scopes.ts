import type { WriteModel } from '@as2-partners/kernel';
import { masterPartnerDecider, partnerDecider, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import type { DirectoryScope } from './partner-directory.service';

/** AS2 ids unique among one tenant's own partners; the plan limit counts these. */
export function tenantDirectoryScope(writeModel: WriteModel, account: string, tenant: string): DirectoryScope {
  return {
    stream: PartnerRegistryStreams.tenantDirectory(account, tenant),
    partnerStatus: async (partnerId) => (await writeModel.load(PartnerRegistryStreams.partner(partnerId), partnerDecider)).state.status,
  };
}

/** AS2 ids unique among one account's master partners. */
export function masterDirectoryScope(writeModel: WriteModel, account: string): DirectoryScope {
  return {
    stream: PartnerRegistryStreams.masterDirectory(account),
    partnerStatus: async (partnerId) =>
      (await writeModel.load(PartnerRegistryStreams.masterPartner(partnerId), masterPartnerDecider)).state.status,
  };
}
