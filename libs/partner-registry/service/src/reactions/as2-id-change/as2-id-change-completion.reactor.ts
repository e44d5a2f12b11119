import { commandEventId, FollowedReactor, WriteModel, type Clock, type FollowedDependencies, type RecordedEvent } from '@as2-partners/kernel';
import {
  masterPartnerDecider,
  partnerDecider,
  PartnerRegistryStreams,
  type MasterPartnerAs2IdChanged,
  type PartnerAs2IdChanged,
} from '@as2-partners/partner-registry-domain';
import { systemMetadata } from '@as2-partners/platform';
import { masterDirectoryScope, tenantDirectoryScope } from '../../write-model/directory-scopes';
import { PartnerDirectoryService } from '../../write-model/partner-directory.service';
import { PARTNER_REGISTRY_SERVICE } from '../../write-model/publication-barrier.token';

export const AS2_ID_CHANGE_COMPLETION_REACTOR = 'partner-registry.as2-id-change-completion';

type Changed = PartnerAs2IdChanged | MasterPartnerAs2IdChanged;
const ACCEPTED: readonly string[] = ['partner.as2_id_changed.v1', 'master_partner.as2_id_changed.v1'];

/**
 * An AS2-id change is two streams: the new id claimed in the directory, the partner changed (its event ids derived from
 * the claim's id), then the claim settled (the old id released). The handler settles it at once; this reactor finishes it again from the recorded change (a
 * no-op when done), so a crash between the change and the settlement is finished after a restart and the old id
 * becomes reusable.
 */
export class As2IdChangeCompletionReactor extends FollowedReactor {
  readonly name = AS2_ID_CHANGE_COMPLETION_REACTOR;

  constructor(
    followed: FollowedDependencies,
    private readonly writeModel: WriteModel,
    private readonly directory: PartnerDirectoryService,
    private readonly clock: Clock,
  ) {
    super(followed);
  }

  protected accepts(event: RecordedEvent): boolean {
    return ACCEPTED.includes(event.type);
  }

  protected async react(recorded: RecordedEvent): Promise<void> {
    const event = recorded as RecordedEvent & Changed;
    const { partnerId, account, oldAs2Id, changedAt } = event.data;
    const master = event.type === 'master_partner.as2_id_changed.v1';
    const stream = master ? PartnerRegistryStreams.masterPartner(partnerId) : PartnerRegistryStreams.partner(partnerId);
    const { state, revision } = master ? await this.writeModel.load(stream, masterPartnerDecider) : await this.writeModel.load(stream, partnerDecider);
    // Deleted: the deletion released what it held, claims included.
    if (state.status !== 'active') return;
    const tenant = master ? null : event.data.tenant;
    const scope = tenant === null ? masterDirectoryScope(this.writeModel, account) : tenantDirectoryScope(this.writeModel, account, tenant);
    // The change's claim, if a crash left it under way: the one whose id this event's was derived from (its first event).
    const claimId = await this.directory.claimOfChange(scope, partnerId, (id) => commandEventId(id, stream, 0) === recorded.id);
    const now = this.clock.now();
    const metadata = systemMetadata({ account, tenant }, { type: 'service', id: PARTNER_REGISTRY_SERVICE }, now, event);
    await this.directory.finishChange(scope, partnerId, { claimId, oldAs2Id, changedAt }, { as2Id: state.partner.as2Id, revision }, now, metadata);
  }
}
