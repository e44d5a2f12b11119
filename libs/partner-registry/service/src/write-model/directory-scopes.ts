import type { WriteModel } from '@as2-partners/kernel';
import { masterPartnerDecider, partnerDecider, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import type { DirectoryScope } from './partner-directory.service';

/** AS2 ids unique among one tenant's own partners; the plan limit counts these. */
export function tenantDirectoryScope(writeModel: WriteModel, account: string, tenant: string): DirectoryScope {
  return {
    stream: PartnerRegistryStreams.tenantDirectory(account, tenant),
    partnerStatus: async (partnerId) => (await writeModel.load(PartnerRegistryStreams.partner(partnerId), partnerDecider)).state.status,
    partnerAs2Id: async (partnerId) => as2IdOf((await writeModel.load(PartnerRegistryStreams.partner(partnerId), partnerDecider)).state),
  };
}

/** AS2 ids unique among one account's master partners. */
export function masterDirectoryScope(writeModel: WriteModel, account: string): DirectoryScope {
  return {
    stream: PartnerRegistryStreams.masterDirectory(account),
    partnerStatus: async (partnerId) =>
      (await writeModel.load(PartnerRegistryStreams.masterPartner(partnerId), masterPartnerDecider)).state.status,
    partnerAs2Id: async (partnerId) => as2IdOf((await writeModel.load(PartnerRegistryStreams.masterPartner(partnerId), masterPartnerDecider)).state),
  };
}

function as2IdOf(state: { readonly status: string; readonly partner?: { readonly as2Id: string } }): string | null {
  return state.status === 'active' && state.partner ? state.partner.as2Id : null;
}
