import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { stationNotFound } from '@as2-partners/partner-registry-domain';
import { Ctx, PageQueryDto, paginationOf, type RequestContext, requireTenant, Roles, RequiresTenant } from '@as2-partners/platform';
import { TENANT_READERS } from '../../api-conventions/partner-roles';
import { ExchangeQueries } from './exchange-queries';
import { presentStation } from './exchange.presenter';
import { STATION_PAGE, STATION_READ } from '../../api-conventions/exchange.openapi';

@ApiTags('stations')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/stations')
export class StationViewsController {
  constructor(@Inject(ExchangeQueries) private readonly queries: ExchangeQueries) {}

  @Get()
  @Roles(...TENANT_READERS)
  @ApiOperation({ summary: "The tenant's stations" })
  @ApiResponse({ status: 200, description: 'OK', schema: STATION_PAGE })
  async list(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto) {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const result = await this.queries.listStations(ctx.caller.account, requireTenant(ctx), { page, perPage });
    return { data: result.items.map(presentStation), pagination: paginationOf(page, perPage, result.total, result.items.length) };
  }

  @Get(':id')
  @Roles(...TENANT_READERS)
  @ApiOperation({ summary: 'A station' })
  @ApiResponse({ status: 200, description: 'OK', schema: STATION_READ })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    const doc = await this.queries.findStation(ctx.caller.account, requireTenant(ctx), id);
    if (!doc) throw stationNotFound(id);
    return { data: presentStation(doc) };
  }
}
