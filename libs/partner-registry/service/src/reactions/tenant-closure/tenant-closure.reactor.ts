import { FollowedReactor, WriteModel, type Clock, type FollowedDependencies, type RecordedEvent } from '@as2-partners/kernel';
import { PartnerRegistryStreams, tenantDecider, type TenantDeleted } from '@as2-partners/partner-registry-domain';
import { PARTNER_REGISTRY_SERVICE } from '../../write-model/publication-barrier.token';
import { TenantClosure } from '../../tenant-closure/tenant-closure';

export const TENANT_CLOSURE_REACTOR = 'partner-registry.tenant-closure';

/**
 * Finishes closing every deleted tenant, whatever stopped the DELETE that recorded it (a crash, a timeout): it follows
 * `tenant.deleted.v1` from a checkpoint kept in the event store, so after a restart it resumes where it stopped.
 */
export class TenantClosureReactor extends FollowedReactor {
  readonly name = TENANT_CLOSURE_REACTOR;

  constructor(
    followed: FollowedDependencies,
    private readonly writeModel: WriteModel,
    private readonly closure: TenantClosure,
    private readonly clock: Clock,
  ) {
    super(followed);
  }

  protected accepts(event: RecordedEvent): boolean {
    return event.type === 'tenant.deleted.v1';
  }

  protected async react(recorded: RecordedEvent): Promise<void> {
    const event = recorded as RecordedEvent & TenantDeleted;
    const { account, tenantId } = event.data;
    // Streams written before ids were retired may hold a tenant re-created after its deletion: that one stays open.
    const { state } = await this.writeModel.load(PartnerRegistryStreams.tenant(account, tenantId), tenantDecider);
    if (state.status !== 'deleted') return;
    await this.closure.close(account, tenantId, {
      account,
      tenant: tenantId,
      correlationId: event.metadata.correlationId,
      causationId: event.id,
      actor: { type: 'service', id: PARTNER_REGISTRY_SERVICE },
      occurredAt: this.clock.now().toISOString(),
    });
  }
}
