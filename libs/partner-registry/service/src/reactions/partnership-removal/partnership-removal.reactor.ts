import { FollowedReactor, type Clock, type FollowedDependencies, type RecordedEvent } from '@as2-partners/kernel';
import type { As2InstanceDeleted, MasterPartnerDeleted, PartnerDeleted } from '@as2-partners/partner-registry-domain';
import { systemMetadata } from '@as2-partners/platform';
import { PartnershipRemoval, type PairRef } from '../../write-model/partnership-removal';
import { PARTNER_REGISTRY_SERVICE } from '../../write-model/publication-barrier.token';

export const PARTNERSHIP_REMOVAL_REACTOR = 'partner-registry.partnership-removal';

type EndDeleted = PartnerDeleted | MasterPartnerDeleted | As2InstanceDeleted;
const ACCEPTED: readonly string[] = ['partner.deleted.v1', 'master_partner.deleted.v1', 'as2_instance.deleted.v1'];

/**
 * A deleted partner or AS2 instance takes its partnerships with it, each with its own `partnership.deleted.v1`
 * (actor: the service, causation: the deletion): it follows the store from a checkpoint, so a crash in between is
 * finished after a restart, and the pairs come from the write side's partnership directory.
 */
export class PartnershipRemovalReactor extends FollowedReactor {
  readonly name = PARTNERSHIP_REMOVAL_REACTOR;

  constructor(
    followed: FollowedDependencies,
    private readonly removal: PartnershipRemoval,
    private readonly clock: Clock,
  ) {
    super(followed);
  }

  protected accepts(event: RecordedEvent): boolean {
    return ACCEPTED.includes(event.type);
  }

  protected async react(recorded: RecordedEvent): Promise<void> {
    const event = recorded as RecordedEvent & EndDeleted;
    const { account, tenant } = event.metadata;
    const [pairs, reason] = await this.pairsEndedBy(event, account, tenant);
    const now = this.clock.now();
    const actor = { type: 'service' as const, id: PARTNER_REGISTRY_SERVICE };
    await this.removal.removeAll(account, pairs, reason, now, (pair) => systemMetadata({ account, tenant: pair.tenant }, actor, now, event));
  }

  private async pairsEndedBy(event: EndDeleted, account: string, tenant: string | null): Promise<[PairRef[], 'partner_deleted' | 'as2_instance_deleted']> {
    switch (event.type) {
      case 'partner.deleted.v1':
        // A tenant's partner (its event names the tenant); never another tenant's pair of the same id.
        return [tenant === null ? [] : await this.removal.pairsOfPartner(account, event.data.partnerId, tenant), 'partner_deleted'];
      case 'master_partner.deleted.v1':
        return [await this.removal.pairsOfPartner(account, event.data.partnerId, null), 'partner_deleted'];
      case 'as2_instance.deleted.v1':
        return [await this.removal.pairsOfInstance(account, event.data.instanceId), 'as2_instance_deleted'];
    }
  }
}
