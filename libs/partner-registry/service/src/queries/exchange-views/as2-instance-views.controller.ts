import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { as2InstanceNotFound } from '@as2-partners/partner-registry-domain';
import { Ctx, paginationOf, type RequestContext, requireTenant, Roles, RequiresTenant } from '@as2-partners/platform';
import { TENANT_READERS } from '../../api-conventions/partner-roles';
import { As2InstanceListQueryDto } from './as2-instance-list-query.dto';
import { As2InstanceDetails } from './as2-instance-details';
import { ExchangeQueries } from './exchange-queries';
import { presentAs2Instance } from './exchange.presenter';
import { AS2_INSTANCE_DETAILS, AS2_INSTANCE_PAGE } from '../../api-conventions/exchange.openapi';

@ApiTags('as2 instances')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/as2-instances')
export class As2InstanceViewsController {
  constructor(
    @Inject(ExchangeQueries) private readonly queries: ExchangeQueries,
    @Inject(As2InstanceDetails) private readonly details: As2InstanceDetails,
  ) {}

  @Get()
  @Roles(...TENANT_READERS)
  @ApiOperation({ summary: "The tenant's AS2 instances, then the account's (type inherited)" })
  @ApiResponse({ status: 200, description: 'OK', schema: AS2_INSTANCE_PAGE })
  async list(@Ctx() ctx: RequestContext, @Query() query: As2InstanceListQueryDto) {
    const tenant = requireTenant(ctx);
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const result = await this.queries.listInstances(ctx.caller.account, tenant, query.type ?? 'all', { page, perPage });
    return { data: result.items.map((doc) => presentAs2Instance(doc)), pagination: paginationOf(page, perPage, result.total, result.items.length) };
  }

  @Get(':id')
  @Roles(...TENANT_READERS)
  @ApiOperation({ summary: 'An AS2 instance with its related partnerships and keys' })
  @ApiResponse({ status: 200, description: 'OK', schema: AS2_INSTANCE_DETAILS })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    const tenant = requireTenant(ctx);
    const doc = await this.queries.findInstanceForTenant(ctx.caller.account, tenant, id);
    if (!doc) throw as2InstanceNotFound(id);
    return { data: await this.details.of(doc, tenant, doc.tenant === null ? 'inherited' : 'tenant') };
  }
}
