import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, commandEntityId, EVENT_STORE, type Clock, type EventStore, WriteModel } from '@as2-partners/kernel';
import { PartnerRegistryStreams, tenantDecider, tenantNotFound, type Plan } from '@as2-partners/partner-registry-domain';
import { AfterWrite, type RequestContext, requestMetadata } from '@as2-partners/platform';
import { monotonicFactory } from 'ulid';
import { PartnerQueries } from '../../queries/partner-views/partner-queries';
import type { TenantDocument } from '../../queries/partner-views/partner-view.document';
import type { CreateTenantDto, UpdateTenantDto } from './tenant.dto';
import { TenantClosure } from '../../tenant-closure/tenant-closure';

const nextUlid = monotonicFactory();

/** An account's tenants and their plans; a plan change applies to the tenant's later creates. */
@Injectable()
export class TenantsHandler {
  constructor(
    private readonly writeModel: WriteModel,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly closure: TenantClosure,
    private readonly queries: PartnerQueries,
  ) {}

  async create(ctx: RequestContext, account: string, dto: CreateTenantDto): Promise<AfterWrite<TenantDocument>> {
    // From the Idempotency-Key's command id when there is one: a retry after a crash finds the first create's events.
    const tenantId = dto.id ?? (ctx.commandId === undefined ? `ten_${nextUlid()}` : commandEntityId('ten', ctx.commandId));
    const now = this.clock.now();
    const result = await this.writeModel.decide(PartnerRegistryStreams.tenant(account, tenantId),
      tenantDecider,
      () => ({ type: 'create_tenant' as const, account, tenantId, name: dto.name, plan: (dto.plan ?? 'free') as Plan, notificationEmail: dto.notification_email, now: now.toISOString() }),
      requestMetadata(ctx, null, now),
      ctx.commandId === undefined ? {} : { commandId: ctx.commandId },
    );
    return new AfterWrite(result.position, () => this.get(account, tenantId));
  }

  async update(ctx: RequestContext, account: string, tenantId: string, dto: UpdateTenantDto): Promise<AfterWrite<TenantDocument>> {
    const now = this.clock.now();
    const result = await this.writeModel.decide(PartnerRegistryStreams.tenant(account, tenantId),
      tenantDecider,
      () => ({ type: 'update_tenant' as const, tenantId, name: dto.name, plan: dto.plan as Plan | undefined, notificationEmail: dto.notification_email, now: now.toISOString() }),
      requestMetadata(ctx, null, now),
    );
    return new AfterWrite(result.position, () => this.get(account, tenantId));
  }

  /**
   * Records the deletion first, then closes the tenant's data (see TenantClosure). A repeated DELETE finishes a closure
   * a failure interrupted and answers the first deletion's time; the reactor finishes it too, after a crash.
   */
  async delete(ctx: RequestContext, account: string, tenantId: string): Promise<AfterWrite<string>> {
    const now = this.clock.now();
    const result = await this.writeModel.decide(PartnerRegistryStreams.tenant(account, tenantId),
      tenantDecider,
      () => ({ type: 'delete_tenant' as const, tenantId, now: now.toISOString() }),
      requestMetadata(ctx, null, now),
    );
    if (result.state.status !== 'deleted') throw new Error(`Tenant ${tenantId} not deleted after its deletion was decided`);
    await this.closure.close(account, tenantId, requestMetadata(ctx, tenantId, now));
    const { deletedAt } = result.state;
    // The reactor may have done (part of) the closure first: wait for everything stored so far, not only our own events.
    return new AfterWrite(await this.store.lastPosition(), () => deletedAt);
  }

  async get(account: string, tenantId: string): Promise<TenantDocument> {
    const tenant = await this.queries.findTenant(account, tenantId);
    if (!tenant) throw tenantNotFound(tenantId);
    return tenant;
  }
}
