import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, WriteModel } from '@as2-partners/kernel';
import { partnerDecider, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import { AfterWrite, PLATFORM_CONFIG, type PlatformConfig, type RequestContext, requestMetadata, requireTenant } from '@as2-partners/platform';
import { partnerChangesFromDto } from '../../partner-settings/partner-changes.mapper';
import type { CreatePartnerDto } from '../../partner-settings/partner-settings.dto';
import { PartnerQueries } from '../../queries/partner-views/partner-queries';
import type { PartnerViewDocument } from '../../queries/partner-views/partner-view.document';
import { TenantSecrets } from '../../secrets/tenant-secrets';
import { TenantClosure } from '../../tenant-closure/tenant-closure';
import { tenantDirectoryScope } from '../../write-model/directory-scopes';
import { PartnerDirectoryService } from '../../write-model/partner-directory.service';
import { newPartnerId } from '../../write-model/partner-id';
import { requireStationFor } from '../../write-model/station-check';
import { planLimitOf } from './tenant-plan';

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
  ) {}

  /** Validate, reserve the AS2 id within the plan limit, then create the partner's stream; answers its view (with what it inherits). */
  async execute(ctx: RequestContext, dto: CreatePartnerDto): Promise<AfterWrite<PartnerViewDocument>> {
    const tenant = requireTenant(ctx);
    const { account } = ctx.caller;
    const now = this.clock.now();
    const partnerId = newPartnerId();
    const metadata = requestMetadata(ctx, tenant, now);
    const planLimit = await planLimitOf(this.writeModel, account, tenant);
    await requireStationFor(this.writeModel, account, tenant, dto.station_id);
    const changes = await partnerChangesFromDto(dto, (password) => this.secrets.seal(account, tenant, password, metadata), this.config.privateEndpointsAllow);
    const command = {
      type: 'create_partner' as const,
      partnerId,
      account,
      tenant,
      as2Id: dto.as2_id,
      settings: { ...changes, name: dto.name, url: dto.url },
      now: now.toISOString(),
    };
    const appended = await this.directory.reserveThenCreate(
      tenantDirectoryScope(this.writeModel, account, tenant),
      { as2Id: dto.as2_id, partnerId, planLimit, now },
      { stream: PartnerRegistryStreams.partner(partnerId), decider: partnerDecider, command },
      metadata,
    );
    await this.closure.refuseIfDeletedMeanwhile(account, tenant, partnerId, metadata);
    return new AfterWrite(appended.position, async () => {
      const created = await this.queries.findForTenant(account, tenant, partnerId);
      if (!created) throw new Error(`Partner ${partnerId} missing from its view after the projection caught up`);
      return created;
    });
  }
}
