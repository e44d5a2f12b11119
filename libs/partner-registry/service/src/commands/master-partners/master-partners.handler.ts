import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, EVENT_STORE, type Clock, type EventStore, WriteModel } from '@as2-partners/kernel';
import { invalidPartnerSetting, masterPartnerDecider, partnerNotFound, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import { AfterWrite, commandOf, inheritedContactGate, lastPositionOf, PLATFORM_CONFIG, type PlatformConfig, recordedDeletionOf, type RequestContext, requestMetadata, WRITE_GATES, WriteVisibility } from '@as2-partners/platform';
import { partnerChangesFromDto } from '../../partner-settings/partner-changes.mapper';
import type { CreatePartnerDto } from '../../partner-settings/partner-settings.dto';
import { PartnerQueries } from '../../queries/partner-views/partner-queries';
import type { PartnerViewDocument } from '../../queries/partner-views/partner-view.document';
import { SECRET_SEALER, type SecretSealer } from '../../secrets/secret-sealer';
import { CreatePartnerHandler } from '../create-partner/create-partner.handler';
import type { UpdatePartnerDto } from '../update-partner/update-partner.dto';
import { masterDirectoryScope } from '../../write-model/directory-scopes';
import { PartnerDirectoryService } from '../../write-model/partner-directory.service';
import { requireStationFor } from '../../write-model/station-check';
import { PARTNER_ID_PATTERN } from '../../write-model/write-target';

/** Account-level partners every tenant of the account inherits; AS2 ids unique among the account's masters. */
@Injectable()
export class MasterPartnersHandler {
  constructor(
    private readonly writeModel: WriteModel,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SECRET_SEALER) private readonly sealer: SecretSealer,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    private readonly directory: PartnerDirectoryService,
    private readonly queries: PartnerQueries,
    private readonly creation: CreatePartnerHandler,
    private readonly visibility: WriteVisibility,
  ) {}

  async create(ctx: RequestContext, account: string, dto: CreatePartnerDto): Promise<AfterWrite<PartnerViewDocument>> {
    const now = this.clock.now();
    const seal = async (password: string) => this.sealer.seal(password);
    const creation = { owner: { scope: 'account' as const, account, tenant: null }, seal, planLimit: null, metadata: requestMetadata(ctx, null, now), now, ...(ctx.commandId ? { commandId: ctx.commandId } : {}) };
    const { partnerId, position } = await this.creation.create(dto, creation);
    return new AfterWrite(position, () => this.get(account, partnerId));
  }

  async update(ctx: RequestContext, account: string, partnerId: string, dto: UpdatePartnerDto): Promise<AfterWrite<PartnerViewDocument>> {
    await this.requireMaster(account, partnerId);
    const now = this.clock.now();
    await requireStationFor(this.writeModel, account, null, dto.station_id);
    // A firewall sent without its list keeps the master's.
    const current = dto.firewall === undefined ? undefined : await this.writeModel.load(PartnerRegistryStreams.masterPartner(partnerId), masterPartnerDecider);
    const firewall = current?.state.status === 'active' ? current.state.partner.settings.firewall : undefined;
    const changes = await partnerChangesFromDto(dto, async (password) => this.sealer.seal(password), this.config.privateEndpointsAllow, firewall);
    const decide = () =>
      this.writeModel.decide(PartnerRegistryStreams.masterPartner(partnerId),
        masterPartnerDecider,
        () => ({ type: 'update_partner' as const, partnerId, changes, now: now.toISOString() }),
        requestMetadata(ctx, null, now),
      );
    // The email's removal, one at a time with the tenants' overrides giving the master a station (each sees the other's views).
    const result =
      changes.email !== null
        ? await decide()
        : await WRITE_GATES.closed(inheritedContactGate(account, partnerId), async () => {
            await this.requireNoTenantStationOnTheEmail(account, partnerId);
            const removed = await decide();
            await this.visibility.reach(removed.position);
            return removed;
          });
    return new AfterWrite(result.position, () => this.get(account, partnerId));
  }

  /**
   * With an Idempotency-Key, a retry after a crash that stored the deletion finishes the release and answers it again.
   * Its route closes the partner's gate until answered: a tenant's override or partnership came before, or finds it deleted.
   */
  async delete(ctx: RequestContext, account: string, partnerId: string): Promise<AfterWrite<string>> {
    await this.requireMaster(account, partnerId);
    const stream = PartnerRegistryStreams.masterPartner(partnerId);
    const recorded = await recordedDeletionOf(this.writeModel, stream, masterPartnerDecider, ctx);
    const now = this.clock.now();
    const metadata = requestMetadata(ctx, null, now);
    const deleted = await this.writeModel.decide(stream, masterPartnerDecider, () => ({ type: 'delete_partner' as const, partnerId, now: now.toISOString() }), metadata, commandOf(ctx));
    const deletedAt = recorded?.deletedAt ?? now.toISOString();
    const released = await this.directory.release(masterDirectoryScope(this.writeModel, account), partnerId, now, metadata);
    return new AfterWrite(lastPositionOf(deleted.position, released), () => deletedAt);
  }

  async get(account: string, partnerId: string): Promise<PartnerViewDocument> {
    const master = PARTNER_ID_PATTERN.test(partnerId) ? await this.queries.findMaster(account, partnerId) : null;
    if (!master) throw partnerNotFound(partnerId);
    return master;
  }

  /** A tenant whose override gave the master a station relies on the master's email (its failure notices go there). */
  private async requireNoTenantStationOnTheEmail(account: string, partnerId: string): Promise<void> {
    const tenants = await this.queries.tenantsWhoseStationNeedsTheMastersEmail(account, partnerId);
    if (tenants.length === 0) return;
    const named = tenants.length > 5 ? `${tenants.slice(0, 5).join(', ')} and ${tenants.length - 5} more` : tenants.join(', ');
    throw invalidPartnerSetting('email', `The email is required while a tenant's override gives this partner a station and keeps its email (tenants: ${named})`);
  }

  /** From the write model: a master of another account is not found. */
  private async requireMaster(account: string, partnerId: string): Promise<void> {
    if (!PARTNER_ID_PATTERN.test(partnerId)) throw partnerNotFound(partnerId);
    const stream = await this.store.readStream(PartnerRegistryStreams.masterPartner(partnerId), { maxCount: 1 });
    const created = stream[0];
    if (!created || (created.data as { account?: string }).account !== account) throw partnerNotFound(partnerId);
  }
}
