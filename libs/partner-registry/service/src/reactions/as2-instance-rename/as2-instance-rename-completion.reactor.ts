import { commandEventId, DirectoryReservations, FollowedReactor, WriteModel, type Clock, type FollowedDependencies, type RecordedEvent } from '@as2-partners/kernel';
import { as2InstanceDecider, claimUnderWay, PartnerRegistryStreams, type As2InstanceUpdated } from '@as2-partners/partner-registry-domain';
import { systemMetadata } from '@as2-partners/platform';
import { PARTNER_REGISTRY_SERVICE } from '../../write-model/publication-barrier.token';
import { as2InstanceDirectory, as2InstanceDirectoryDecider, settleKeyClaim } from '../../write-model/unique-key-directories';

export const AS2_INSTANCE_RENAME_COMPLETION_REACTOR = 'partner-registry.as2-instance-rename-completion';

/**
 * A change of an instance's my_as2_id is two streams: the new id claimed in the directory, the instance changed (its
 * event ids derived from the claim's id), then the claim settled (the old id released). The handler settles it at once;
 * this reactor settles it again from the recorded change if it is still under way (a no-op when done), so a crash
 * between the change and the settlement is finished after a restart and the old id becomes reusable.
 */
export class As2InstanceRenameCompletionReactor extends FollowedReactor {
  readonly name = AS2_INSTANCE_RENAME_COMPLETION_REACTOR;

  constructor(
    followed: FollowedDependencies,
    private readonly writeModel: WriteModel,
    private readonly reservations: DirectoryReservations,
    private readonly clock: Clock,
  ) {
    super(followed);
  }

  protected accepts(event: RecordedEvent): boolean {
    return event.type === 'as2_instance.updated.v1' && (event.data as As2InstanceUpdated['data']).changes.myAs2Id !== undefined;
  }

  protected async react(recorded: RecordedEvent): Promise<void> {
    const { instanceId, account, tenant } = (recorded as RecordedEvent & As2InstanceUpdated).data;
    const stream = PartnerRegistryStreams.as2Instance(instanceId);
    const directory = as2InstanceDirectory(this.writeModel, account, tenant);
    const { state: claims } = await this.writeModel.load(directory.stream, as2InstanceDirectoryDecider);
    // The change's claim: the one whose id this event's was derived from (its first event).
    const claimId = claimUnderWay(claims.changes, instanceId, (id) => commandEventId(id, stream, 0) === recorded.id);
    if (claimId === null) return;
    const { state, revision } = await this.writeModel.load(stream, as2InstanceDecider);
    const now = this.clock.now();
    const metadata = systemMetadata({ account, tenant }, { type: 'service', id: PARTNER_REGISTRY_SERVICE }, now, recorded);
    await this.reservations.release(directory, settleKeyClaim(instanceId, claimId, { key: state.status === 'active' ? state.instance.myAs2Id : null, revision }, now), metadata);
  }
}
