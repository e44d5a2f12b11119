import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, type Decider, DomainError, type EventMetadata, forEachAtMost, inSlices, nextTurnOfLoop, timeOrderedUuid, WriteModel } from '@as2-partners/kernel';
import {
  AS2_ID_CHANGE_RISKS,
  inheritedPartnerAs2IdReadOnly,
  masterPartnerDecider,
  partnerDecider,
  partnerNotFound,
  PartnerRegistryStreams,
  type MasterPartnerEvent,
  type PartnerCommand,
  type PartnerEvent,
  type PartnerRecord,
  type PartnerState,
} from '@as2-partners/partner-registry-domain';
import { AfterWrite, lastPositionOf, type RequestContext, requestMetadata, toApiTimestamp } from '@as2-partners/platform';
import { ExchangeQueries } from '../../queries/exchange-views/exchange-queries';
import { PartnerQueries } from '../../queries/partner-views/partner-queries';
import { MessageStatsQuery } from '../../queries/message-stats/message-stats.query';
import { PartnerTrafficConsumer, type LevelPause } from '../../reactions/traffic-control-events/partner-traffic.consumer';
import { ScheduledActivationsConsumer } from '../../reactions/certificate-lifecycle-events/scheduled-activations.consumer';
import { masterDirectoryScope, tenantDirectoryScope } from '../../write-model/directory-scopes';
import { PartnerDirectoryService, type DirectoryScope } from '../../write-model/partner-directory.service';
import { PARTNER_ID_PATTERN, resolveWriteTarget } from '../../write-model/write-target';
import type { ChangeAs2IdDto } from './change-as2-id.dto';

/** How many tenants' statistics and pauses are read at once (an account's tenants may be many). */
const TENANTS_AT_ONCE = 20;
/** How many tenants' statistics and pauses are read in one turn of the event loop at most (~150 µs each embedded). */
const TENANTS_A_TURN = 100;

/** Whose partner: a tenant's own (the tenant route), or the account's master (the account route). */
type Target = { readonly partner: PartnerRecord; readonly stream: string; readonly decider: Decider<PartnerCommand, PartnerState, PartnerEvent | MasterPartnerEvent>; readonly scope: DirectoryScope };

/**
 * Seed 000's product refuses this; we offer it safely: refused without the risks acknowledged, the new id reserved
 * in the directory stream before the change (so two changes, or a change and a create, cannot both take it), the
 * old id released after it (reusable), history kept on the same partner id.
 */
@Injectable()
export class ChangeAs2IdHandler {
  constructor(
    private readonly writeModel: WriteModel,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly directory: PartnerDirectoryService,
    private readonly exchange: ExchangeQueries,
    private readonly stats: MessageStatsQuery,
    private readonly traffic: PartnerTrafficConsumer,
    private readonly activations: ScheduledActivationsConsumer,
    private readonly partners: PartnerQueries,
  ) {}

  async change(ctx: RequestContext, account: string | null, partnerId: string, dto: ChangeAs2IdDto): Promise<AfterWrite<{ oldAs2Id: string; newAs2Id: string; changedAt: string }>> {
    const target = await this.targetOf(ctx, account, partnerId);
    const now = this.clock.now();
    const metadata = requestMetadata(ctx, target.partner.tenant, now);
    const command: PartnerCommand = {
      type: 'change_as2_id',
      partnerId,
      newAs2Id: dto.new_as2_id,
      acknowledgeRisks: dto.acknowledge_risks === true,
      reason: dto.reason ?? null,
      now: now.toISOString(),
    };
    // Refusals of the rule itself (risks, format, same id) reserve nothing.
    target.decider.decide(command, { status: 'active', partner: target.partner });
    // Claimed until settled below: a concurrent change of this partner may move it meanwhile, in any order.
    const claimId = timeOrderedUuid(now.getTime());
    const reserved = await this.directory
      .reserve(target.scope, { as2Id: dto.new_as2_id, partnerId, planLimit: null, now, claimId }, metadata)
      .catch((error: unknown) => {
        throw onNewAs2IdField(error);
      });
    let changed;
    try {
      // Its events' ids derive from the claim's: the completion reactor recognises the claim of a recorded change.
      changed = await this.writeModel.decide(target.stream, target.decider, command, metadata, { commandId: claimId });
    } catch (error) {
      await this.settleClaim(target, partnerId, claimId, now, metadata).catch(() => undefined);
      throw error;
    }
    // The id the change replaced, as decided: a concurrent change may have moved it since the target was read.
    const oldAs2Id = (changed.events[0]?.data as { oldAs2Id?: string } | undefined)?.oldAs2Id ?? target.partner.as2Id;
    // A crash before this line leaves the old id reserved: As2IdChangeCompletion releases it from the event on restart.
    const settled = await this.settleClaim(target, partnerId, claimId, now, metadata);
    return new AfterWrite(lastPositionOf(reserved, changed.position, settled), () => ({
      oldAs2Id,
      newAs2Id: dto.new_as2_id,
      changedAt: now.toISOString(),
    }));
  }

  /**
   * Every tenant of the account this service knows and that was not deleted, registered or only seen in its events (a
   * master partner's change reaches them all). A tenant never registered and seen in no event of this service
   * (only in traffic-control's or the gateway's) is not known here.
   */
  private async liveTenantsOf(account: string): Promise<string[]> {
    const tenants = await this.partners.tenantsSeen(account);
    return tenants.filter((tenant) => tenant.deletedAt === undefined || tenant.deletedAt === null).map((tenant) => tenant.tenantId);
  }

  /** Settles the change's claim with the partner's id as its stream now holds it. */
  private async settleClaim(target: Target, partnerId: string, claimId: string, now: Date, metadata: EventMetadata): Promise<number | null> {
    const { state, revision } = await this.writeModel.load(target.stream, target.decider);
    return this.directory.settleClaim(target.scope, partnerId, claimId, { as2Id: state.status === 'active' ? state.partner.as2Id : null, revision }, now, metadata);
  }

  /** What would break: partnerships, pending certificate activations, traffic pauses and statistics under the old id as this service knows them, whether the new id is free, seed 000's risks. */
  async impact(ctx: RequestContext, account: string | null, partnerId: string, newAs2Id: string) {
    const target = await this.targetOf(ctx, account, partnerId);
    const { partner } = target;
    const partnerships =
      partner.tenant === null
        ? await this.exchange.partnershipsOfPartnerInAccount(partner.account, partnerId)
        : await this.exchange.partnershipsOfPartner(partner.account, partner.tenant, partnerId);
    const subject = { partnerId, as2Id: partner.as2Id, createdAt: partner.createdAt };
    const stats = partner.tenant === null ? null : await this.stats.statsOf(partner.account, partner.tenant, subject);
    // A master partner is every tenant's: their statistics under the old id and their own pauses of it too.
    const tenants = partner.tenant === null ? [...new Set([...(await this.liveTenantsOf(partner.account)), ...partnerships.map((p) => p.tenant)])].sort() : [partner.tenant];
    const byTenant: { readonly tenant: string; readonly stats: typeof stats; readonly pauses: readonly LevelPause[] }[] = [];
    // TENANTS_A_TURN at a time, the event loop free between (embedded reads answer without giving it way: an account's
    // 1,200 tenants held it ~170-210 ms a call)
    await inSlices(tenants.length, TENANTS_A_TURN, nextTurnOfLoop, (from, to) =>
      forEachAtMost(tenants.slice(from, to).entries(), TENANTS_AT_ONCE, async ([i, tenant]) => {
        byTenant[from + i] = {
          tenant,
          stats: partner.tenant === null ? await this.stats.statsOf(partner.account, tenant, subject) : stats,
          pauses: await this.traffic.pausesAt(partner.account, tenant, partnerId),
        };
      }),
    );
    const accountPauses = partner.tenant === null ? await this.traffic.pausesAt(partner.account, null, partnerId) : [];
    const listed = (level: 'account' | 'tenant', tenant: string | null, pauses: readonly LevelPause[]) =>
      pauses.map(({ direction, ...pause }) => ({ direction, level, tenant, ...pause }));
    const activations = await this.activations.activationsOf(partner.account, partner.tenant, partnerId);
    const sameId = newAs2Id === partner.as2Id;
    return {
      partner_id: partnerId,
      current_as2_id: partner.as2Id,
      new_as2_id: newAs2Id,
      new_as2_id_available: !sameId && (await this.directory.isFree(target.scope, newAs2Id, partnerId, this.clock.now())),
      partnerships: partnerships.map((p) => ({ id: p.partnershipId, tenant: p.tenant, as2_instance_id: p.as2InstanceId })),
      // Statistics are recorded by AS2 ids: they stay with the old id (a master's: each tenant's, below).
      message_stats_kept_under_old_id: stats,
      message_stats_kept_under_old_id_by_tenant: byTenant.flatMap(({ tenant, stats: kept }) => (kept !== null && kept.last_message_at !== null ? [{ tenant, ...kept }] : [])),
      // As learned from traffic-control's events: the pauses name the partner id, the gateway matches them by AS2 id;
      // the account's (tenant null), then each tenant's own.
      traffic_pauses: [...listed('account', null, accountPauses), ...byTenant.flatMap(({ tenant, pauses }) => listed('tenant', tenant, pauses))],
      // As learned from certificate-lifecycle's events: they belong to the partner id, so they survive the change.
      scheduled_activations: activations.map((a) => ({
        kind: a.kind,
        slots: a.slots,
        certificate_id: a.certificateId,
        fingerprint_sha256: a.fingerprintSha256,
        activate_at: toApiTimestamp(a.activateAt),
        overlap_until: a.overlapUntil === null ? null : toApiTimestamp(a.overlapUntil),
      })),
      risks: [...AS2_ID_CHANGE_RISKS],
      requires: { acknowledge_risks: true },
    };
  }

  private async targetOf(ctx: RequestContext, account: string | null, partnerId: string): Promise<Target> {
    if (account === null) {
      const target = await resolveWriteTarget(this.writeModel, ctx, partnerId);
      if (target.kind === 'inherited') throw inheritedPartnerAs2IdReadOnly(partnerId);
      const tenant = target.partner.tenant as string;
      return {
        partner: target.partner,
        stream: PartnerRegistryStreams.partner(partnerId),
        decider: partnerDecider as Target['decider'],
        scope: tenantDirectoryScope(this.writeModel, target.partner.account, tenant),
      };
    }
    if (!PARTNER_ID_PATTERN.test(partnerId)) throw partnerNotFound(partnerId);
    const { state } = await this.writeModel.load(PartnerRegistryStreams.masterPartner(partnerId), masterPartnerDecider);
    if (state.status !== 'active' || state.partner.account !== account) throw partnerNotFound(partnerId);
    return { partner: state.partner, stream: PartnerRegistryStreams.masterPartner(partnerId), decider: masterPartnerDecider as Target['decider'], scope: masterDirectoryScope(this.writeModel, account) };
  }
}

/** The directory names a partner's `as2_id`; on this route the field the caller sent is `new_as2_id`. */
function onNewAs2IdField(error: unknown): unknown {
  return error instanceof DomainError && error.field === 'as2_id' ? new DomainError(error.code, error.message, 'new_as2_id', error.details) : error;
}
