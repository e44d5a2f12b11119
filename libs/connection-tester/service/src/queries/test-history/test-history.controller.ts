import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { Ctx, PageQueryDto, paginationOf, requireTenant, Roles, type RequestContext, RequiresTenant } from '@as2-partners/platform';
import { TEST_READERS } from '../../api-conventions/tester-roles';
import { TestedPartnerAccess } from '../../partner-access/tested-partner-access';
import { presentTestData } from '../../test-runs/test-result.presenter';
import { ConnectionViewsProjection, testHistoryQuery } from './connection-views.projection';
import { TEST_HISTORY_PAGE } from '../../api-conventions/connection-tester.openapi';

@ApiTags('partner testing')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/partners/:id/tests')
export class TestHistoryController {
  constructor(
    private readonly access: TestedPartnerAccess,
    private readonly views: ConnectionViewsProjection,
  ) {}

  @Get()
  @Roles(...TEST_READERS)
  @ApiOperation({ summary: "The tenant's connection tests of a partner, newest first (paginated)" })
  @ApiResponse({ status: 200, description: 'OK', schema: TEST_HISTORY_PAGE })
  async list(@Ctx() ctx: RequestContext, @Param('id') partnerId: string, @Query() query: PageQueryDto) {
    const tenant = requireTenant(ctx);
    await this.access.resolve(ctx, tenant, partnerId);
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const found = await this.views.tests.find(testHistoryQuery({ account: ctx.caller.account, tenant }, partnerId, page, perPage));
    return { data: found.items.map((doc) => presentTestData(doc.result)), pagination: paginationOf(page, perPage, found.total, found.items.length) };
  }
}
