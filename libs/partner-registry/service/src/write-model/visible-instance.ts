import { DomainError, type WriteModel } from '@as2-partners/kernel';
import { as2InstanceDecider, as2InstanceNotFound, PartnerRegistryErrorCode, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import { AS2_INSTANCE_ID_PATTERN } from './registry-ids';

/**
 * An AS2 instance a tenant may name in a write (its own or its account's, not deleted), read from the write model so a
 * write never acts on a stale view; anything else is not found, on the field `as2_instance_id`.
 */
export async function requireVisibleInstance(writeModel: WriteModel, account: string, tenant: string, instanceId: string): Promise<void> {
  const state = AS2_INSTANCE_ID_PATTERN.test(instanceId)
    ? (await writeModel.load(PartnerRegistryStreams.as2Instance(instanceId), as2InstanceDecider)).state
    : as2InstanceDecider.initialState();
  const visible = state.status === 'active' && state.instance.account === account && (state.instance.tenant === tenant || state.instance.tenant === null);
  if (!visible) throw new DomainError(PartnerRegistryErrorCode.As2InstanceNotFound, as2InstanceNotFound(instanceId).message, 'as2_instance_id');
}
