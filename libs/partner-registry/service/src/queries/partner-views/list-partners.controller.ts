import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { Ctx, type RequestContext, requireTenant, Roles, RequiresTenant } from '@as2-partners/platform';
import { PartnerListQueryDto } from '../../api-conventions/list-query.dto';
import { paginationOf } from '../../api-conventions/pagination';
import { presentPartner } from './partner.presenter';
import { TENANT_READERS } from '../../api-conventions/partner-roles';
import { PartnerQueries } from './partner-queries';
import { PARTNER_PAGE } from '../../api-conventions/partner-registry.openapi';

@ApiTags('partners')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/partners')
export class ListPartnersController {
  constructor(@Inject(PartnerQueries) private readonly queries: PartnerQueries) {}

  @Get()
  @Roles(...TENANT_READERS)
  @ApiOperation({ summary: "List the tenant's partners (tenant partners first, then inherited master partners)" })
  @ApiResponse({ status: 200, description: "Tenant and inherited partners, a page", schema: PARTNER_PAGE })
  async list(@Ctx() ctx: RequestContext, @Query() query: PartnerListQueryDto) {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const result = await this.queries.listPartners({
      account: ctx.caller.account,
      tenant: requireTenant(ctx),
      search: query.search,
      active: query.active,
      type: query.type ?? 'all',
      stationId: query.station_id,
      page,
      perPage,
    });
    return { data: result.items.map((doc) => presentPartner(doc)), pagination: paginationOf(page, perPage, result.total, result.items.length) };
  }
}
