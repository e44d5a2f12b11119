import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { partnershipNotFound } from '@as2-partners/partner-registry-domain';
import { Ctx, paginationOf, type RequestContext, requireTenant, Roles, RequiresTenant, tenantDeletedError } from '@as2-partners/platform';
import { TENANT_READERS } from '../../api-conventions/partner-roles';
import { PartnerQueries } from '../partner-views/partner-queries';
import { ExchangeQueries } from './exchange-queries';
import type { PartnershipDocument } from './exchange-view.documents';
import { presentPartnership } from './exchange.presenter';
import { PartnershipListQueryDto } from './partnership-list-query.dto';
import { accountOfGatewayOrCaller, GATEWAY_SCOPE_FORBIDDEN, tenantOfGatewayOrCaller } from './gateway-scope';
import { PartnershipResolver } from './partnership-resolver';
import { ResolvePartnershipQueryDto } from './resolve-partnership-query.dto';
import { PARTNERSHIP_PAGE, PARTNERSHIP_READ, PARTNERSHIP_RESOLVED } from '../../api-conventions/exchange.openapi';

@ApiTags('partnerships')
@ApiBearerAuth()
@Controller('v1/partnerships')
export class PartnershipViewsController {
  constructor(
    @Inject(ExchangeQueries) private readonly exchange: ExchangeQueries,
    @Inject(PartnerQueries) private readonly partners: PartnerQueries,
    @Inject(PartnershipResolver) private readonly resolver: PartnershipResolver,
  ) {}

  @Get()
  @RequiresTenant()
  @Roles(...TENANT_READERS)
  @ApiOperation({ summary: "The tenant's partnerships, optionally of one AS2 instance or one partner" })
  @ApiResponse({ status: 200, description: 'OK', schema: PARTNERSHIP_PAGE })
  async list(@Ctx() ctx: RequestContext, @Query() query: PartnershipListQueryDto) {
    const tenant = requireTenant(ctx);
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const result = await this.exchange.listPartnerships(ctx.caller.account, tenant, { as2InstanceId: query.as2_instance_id, partnerId: query.partner_id }, { page, perPage });
    return { data: await this.presentAll(ctx.caller.account, tenant, result.items), pagination: paginationOf(page, perPage, result.total, result.items.length) };
  }

  @Get('resolve')
  @Roles(...TENANT_READERS, 'gateway')
  @ApiOperation({ summary: "The gateway's routing question: the partnership of a message's AS2-From and AS2-To, with its effective settings" })
  @ApiResponse({ status: 200, description: 'OK', schema: PARTNERSHIP_RESOLVED })
  @ApiResponse({ status: 404, description: 'PARTNERSHIP_NOT_FOUND: no partnership between the two AS2 ids' })
  @ApiResponse({ status: 403, description: `${GATEWAY_SCOPE_FORBIDDEN} (?account=, ?tenant=)` })
  async resolve(@Ctx() ctx: RequestContext, @Query() query: ResolvePartnershipQueryDto) {
    const account = accountOfGatewayOrCaller(ctx, query.account);
    const tenant = tenantOfGatewayOrCaller(ctx, query.tenant);
    // A tenant the gateway names (its token has none, so its arrival check could not tell): deleted, it routes nothing.
    if (ctx.caller.tenant === null && (await this.partners.isDeletedTenant(account, tenant))) throw tenantDeletedError(tenant);
    return { data: await this.resolver.resolve(account, tenant, query.as2_from, query.as2_to, query.direction) };
  }

  @Get(':id')
  @RequiresTenant()
  @Roles(...TENANT_READERS)
  @ApiOperation({ summary: 'A partnership with both ends and its overrides' })
  @ApiResponse({ status: 200, description: 'OK', schema: PARTNERSHIP_READ })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    const tenant = requireTenant(ctx);
    const doc = await this.exchange.findPartnership(ctx.caller.account, tenant, id);
    if (!doc) throw partnershipNotFound(id);
    const [presented] = await this.presentAll(ctx.caller.account, tenant, [doc]);
    return { data: presented };
  }

  private async presentAll(account: string, tenant: string, docs: readonly PartnershipDocument[]) {
    const { items: instances } = await this.exchange.instancesByIds(docs.map((d) => d.as2InstanceId));
    const byId = new Map(instances.map((i) => [i.instanceId, i]));
    const out = [];
    for (const doc of docs) out.push(presentPartnership(doc, byId.get(doc.as2InstanceId) ?? null, await this.partners.findForTenant(account, tenant, doc.partnerId)));
    return out;
  }
}
