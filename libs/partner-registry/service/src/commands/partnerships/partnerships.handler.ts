import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, DirectoryReservations, DomainError, WriteModel } from '@as2-partners/kernel';
import {
  partnershipDecider,
  partnershipNotFound,
  partnershipPairKey,
  PartnerRegistryErrorCode,
  PartnerRegistryStreams,
  type PartnershipRecord,
} from '@as2-partners/partner-registry-domain';
import { AfterWrite, commandOf, recordedDeletionOf, type RequestContext, requestMetadata, requireTenant } from '@as2-partners/platform';
import { ExchangeQueries } from '../../queries/exchange-views/exchange-queries';
import type { PartnershipDocument } from '../../queries/exchange-views/exchange-view.documents';
import { PartnershipRemoval } from '../../write-model/partnership-removal';
import { newPartnershipId, PARTNERSHIP_ID_PATTERN } from '../../write-model/registry-ids';
import { partnershipDirectory, releaseKeys, reserveKey } from '../../write-model/unique-key-directories';
import { requireVisibleInstance } from '../../write-model/visible-instance';
import { resolveWriteTarget } from '../../write-model/write-target';
import { partnershipOverridesFromDto, partnershipPatchFromDto } from './partnership-overrides.mapper';
import type { CreatePartnershipDto, UpdatePartnershipDto } from './partnership.dto';

/** Which of our instances talks to which partner: one pair per tenant, both ends visible to the tenant. */
@Injectable()
export class PartnershipsHandler {
  constructor(
    private readonly writeModel: WriteModel,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reservations: DirectoryReservations,
    private readonly removal: PartnershipRemoval,
    private readonly queries: ExchangeQueries,
  ) {}

  /** Its route runs inside the gates of its instance and partner: their deletion runs before the checks below, or after the pair is stored, and ends it. */
  async create(ctx: RequestContext, dto: CreatePartnershipDto): Promise<AfterWrite<PartnershipDocument>> {
    const tenant = requireTenant(ctx);
    const { account } = ctx.caller;
    await requireVisibleInstance(this.writeModel, account, tenant, dto.as2_instance_id);
    await this.requireVisiblePartner(ctx, dto.partner_id);
    const now = this.clock.now();
    const partnershipId = newPartnershipId(ctx.commandId);
    const metadata = requestMetadata(ctx, tenant, now);
    const command = {
      type: 'create_partnership' as const,
      partnershipId,
      account,
      tenant,
      as2InstanceId: dto.as2_instance_id,
      partnerId: dto.partner_id,
      overrides: partnershipOverridesFromDto(dto),
      now: now.toISOString(),
    };
    const { created } = await this.reservations.reserveThenCreate(
      partnershipDirectory(this.writeModel, account),
      { reserve: reserveKey(partnershipPairKey(tenant, dto.as2_instance_id, dto.partner_id), partnershipId, now), release: releaseKeys(partnershipId, 'stale', now) },
      { stream: PartnerRegistryStreams.partnership(partnershipId), decider: partnershipDecider, command, ...(ctx.commandId ? { commandId: ctx.commandId } : {}) },
      now,
      metadata,
    );
    // A partner or instance deleted while this was created: the removal reactor may have run before the pair existed.
    const gone = await this.endIfAnEndWentAway(ctx, partnershipId, dto.as2_instance_id, dto.partner_id);
    if (gone) throw gone;
    return new AfterWrite(created.position, () => this.viewOf(account, tenant, partnershipId));
  }

  async update(ctx: RequestContext, partnershipId: string, dto: UpdatePartnershipDto): Promise<AfterWrite<PartnershipDocument>> {
    const current = await this.requireOwn(ctx, partnershipId);
    const now = this.clock.now();
    const decided = await this.writeModel.decide(
      PartnerRegistryStreams.partnership(partnershipId),
      partnershipDecider,
      () => ({ type: 'update_partnership' as const, partnershipId, patch: partnershipPatchFromDto(dto), now: now.toISOString() }),
      requestMetadata(ctx, current.tenant, now),
    );
    return new AfterWrite(decided.position, () => this.viewOf(current.account, current.tenant, partnershipId));
  }

  /** With an Idempotency-Key, a retry after a crash that stored the deletion finishes the release and answers it again. */
  async delete(ctx: RequestContext, partnershipId: string): Promise<AfterWrite<string>> {
    const recorded = PARTNERSHIP_ID_PATTERN.test(partnershipId) ? await recordedDeletionOf(this.writeModel, PartnerRegistryStreams.partnership(partnershipId), partnershipDecider, ctx) : null;
    const owner = recorded ? { account: ctx.caller.account, tenant: requireTenant(ctx) } : await this.requireOwn(ctx, partnershipId);
    const now = this.clock.now();
    const position = await this.removal.remove(owner.account, partnershipId, 'deleted', now, requestMetadata(ctx, owner.tenant, now), commandOf(ctx));
    const deletedAt = recorded?.deletedAt ?? now.toISOString();
    return new AfterWrite(position, () => deletedAt);
  }

  private async requireOwn(ctx: RequestContext, partnershipId: string): Promise<PartnershipRecord> {
    const tenant = requireTenant(ctx);
    if (!PARTNERSHIP_ID_PATTERN.test(partnershipId)) throw partnershipNotFound(partnershipId);
    const { state } = await this.writeModel.load(PartnerRegistryStreams.partnership(partnershipId), partnershipDecider);
    if (state.status !== 'active' || state.partnership.account !== ctx.caller.account || state.partnership.tenant !== tenant) {
      throw partnershipNotFound(partnershipId);
    }
    return state.partnership;
  }

  /** The tenant's own instance or one of the account's; from the write model. */
  private async requireVisiblePartner(ctx: RequestContext, partnerId: string): Promise<void> {
    try {
      await resolveWriteTarget(this.writeModel, ctx, partnerId);
    } catch (error) {
      if (error instanceof DomainError && error.code === PartnerRegistryErrorCode.PartnerNotFound) {
        throw new DomainError(error.code, error.message, 'partner_id');
      }
      throw error;
    }
  }

  private async endIfAnEndWentAway(ctx: RequestContext, partnershipId: string, instanceId: string, partnerId: string): Promise<DomainError | null> {
    const tenant = requireTenant(ctx);
    let refusal: DomainError | null = null;
    try {
      await requireVisibleInstance(this.writeModel, ctx.caller.account, tenant, instanceId);
      await this.requireVisiblePartner(ctx, partnerId);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      refusal = error;
    }
    if (refusal === null) return null;
    const now = this.clock.now();
    const reason = refusal.code === PartnerRegistryErrorCode.PartnerNotFound ? 'partner_deleted' : 'as2_instance_deleted';
    await this.removal.remove(ctx.caller.account, partnershipId, reason, now, requestMetadata(ctx, tenant, now));
    return refusal;
  }

  private async viewOf(account: string, tenant: string, partnershipId: string): Promise<PartnershipDocument> {
    const doc = await this.queries.findPartnership(account, tenant, partnershipId);
    // Ended right after this write (its partner or instance deleted): gone, as any read of it now says.
    if (!doc) throw partnershipNotFound(partnershipId);
    return doc;
  }
}
