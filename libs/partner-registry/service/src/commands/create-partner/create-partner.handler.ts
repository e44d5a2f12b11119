import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, type EventMetadata, WriteModel } from '@as2-partners/kernel';
import { partnerDeciderFor, partnerNotFound, PartnerRegistryStreams, type MasterPartnerEvent, type PartnerEvent, type PlanLimit } from '@as2-partners/partner-registry-domain';
import { AfterWrite, PLATFORM_CONFIG, type PlatformConfig, type RequestContext, requestMetadata, requireTenant } from '@as2-partners/platform';
import { partnerChangesFromDto } from '../../partner-settings/partner-changes.mapper';
import type { CreatePartnerDto } from '../../partner-settings/partner-settings.dto';
import { PartnerQueries } from '../../queries/partner-views/partner-queries';
import { tenantPartnerViewOf, type PartnerViewDocument } from '../../queries/partner-views/partner-view.document';
import { TenantSecrets } from '../../secrets/tenant-secrets';
import { TenantClosure } from '../../tenant-closure/tenant-closure';
import { masterDirectoryScope, tenantDirectoryScope } from '../../write-model/directory-scopes';
import { PartnerDirectoryService } from '../../write-model/partner-directory.service';
import { newPartnerId } from '../../write-model/partner-id';
import { requireStationFor } from '../../write-model/station-check';
import { StationMembership } from '../../write-model/station-membership';
import { planLimitOf } from './tenant-plan';

/** Whose partner is created: a tenant's own (its directory, its plan), or the account's, which every tenant inherits. */
export type PartnerOwner = { readonly scope: 'tenant'; readonly account: string; readonly tenant: string } | { readonly scope: 'account'; readonly account: string; readonly tenant: null };

/** What a create needs besides the request body: how passwords are sealed and the plan limit (none for the account). */
export interface PartnerCreation {
  readonly owner: PartnerOwner;
  readonly seal: (password: string) => Promise<string>;
  readonly planLimit: PlanLimit | null;
  readonly metadata: EventMetadata;
  readonly now: Date;
  /** The request's command id (Idempotency-Key): the partner's id derives from it, so a retry after a crash finds the partner it created. */
  readonly commandId?: string;
}

@Injectable()
export class CreatePartnerHandler {
  constructor(
    private readonly writeModel: WriteModel,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    private readonly secrets: TenantSecrets,
    private readonly closure: TenantClosure,
    private readonly directory: PartnerDirectoryService,
    private readonly queries: PartnerQueries,
    private readonly membership: StationMembership,
  ) {}

  /** Validate, reserve the AS2 id within the plan limit, then create the partner's stream; answers its view (with what it inherits). */
  async execute(ctx: RequestContext, dto: CreatePartnerDto): Promise<AfterWrite<PartnerViewDocument>> {
    const tenant = requireTenant(ctx);
    const { account } = ctx.caller;
    const now = this.clock.now();
    const metadata = requestMetadata(ctx, tenant, now);
    const planLimit = await planLimitOf(this.writeModel, account, tenant);
    const seal = (password: string) => this.secrets.seal(account, tenant, password, metadata);
    const { partnerId, position, events } = await this.create(dto, {
      owner: { scope: 'tenant', account, tenant },
      seal,
      planLimit,
      metadata,
      now,
      ...(ctx.commandId ? { commandId: ctx.commandId } : {}),
    });
    await this.closure.refuseIfDeletedMeanwhile(account, tenant, partnerId, metadata);
    const createdEvent = events.find((event) => event.type === 'partner.created.v1');
    // A tenant partner inherits nothing: its view is the one the projection writes from the created event, made here
    // rather than read back once the views have it (a read and a parse of the view was ~1 % of a create's CPU).
    const decided = createdEvent?.type === 'partner.created.v1' ? () => tenantPartnerViewOf(createdEvent.data) : undefined;
    return new AfterWrite(
      position,
      decided ??
        (async () => {
          const created = await this.queries.findForTenant(account, tenant, partnerId);
          // Deleted right after this write: gone, as any read of it now says.
          if (!created) throw partnerNotFound(partnerId);
          return created;
        }),
      // The view is late: the partner as decided.
      decided,
    );
  }

  /** The one create path of both scopes: AS2 id unique in the owner's directory, then the partner's stream. */
  async create(dto: CreatePartnerDto, creation: PartnerCreation): Promise<{ partnerId: string; position: number | null; events: readonly (PartnerEvent | MasterPartnerEvent)[] }> {
    const { owner, now, commandId } = creation;
    const partnerId = newPartnerId(commandId);
    await requireStationFor(this.writeModel, owner.account, owner.tenant, dto.station_id);
    const changes = await partnerChangesFromDto(dto, creation.seal, this.config.privateEndpointsAllow);
    const command = {
      type: 'create_partner' as const,
      partnerId,
      account: owner.account,
      tenant: owner.tenant,
      as2Id: dto.as2_id,
      settings: { ...changes, name: dto.name, url: dto.url },
      certificateId: dto.certificate_id ?? null,
      now: now.toISOString(),
    };
    const [directory, stream] =
      owner.scope === 'tenant'
        ? [tenantDirectoryScope(this.writeModel, owner.account, owner.tenant), PartnerRegistryStreams.partner(partnerId)]
        : [masterDirectoryScope(this.writeModel, owner.account), PartnerRegistryStreams.masterPartner(partnerId)];
    const reservation = { as2Id: dto.as2_id, partnerId, planLimit: creation.planLimit, now };
    // With a station, the partner's own rules (an email with a station, …) refuse before it is joined (and left again);
    // without one the create's own decision refuses as before, not decided twice on the hot path.
    if (dto.station_id) {
      const decider = partnerDeciderFor(owner.scope);
      decider.decide(command, decider.initialState());
      // So are an AS2 id already taken and a full plan (a create racing for either still is, after joining).
      const refusal = await this.directory.refusalOf(directory, reservation);
      if (refusal) throw refusal;
    }
    // The partner joins its station's stream first: a concurrent deletion of the station then refuses, or this create does.
    const { result: appended } = await this.membership.around({ partnerId, previous: null, next: dto.station_id ?? null }, now, creation.metadata, () =>
      this.directory.reserveThenCreate(
        directory,
        reservation,
        { stream, decider: partnerDeciderFor(owner.scope), command, ...(commandId === undefined ? { newStream: true } : { commandId }) },
        creation.metadata,
      ),
    );
    return { partnerId, position: appended.position, events: appended.events };
  }
}
