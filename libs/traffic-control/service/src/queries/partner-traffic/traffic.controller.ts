import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { apiShaped, Ctx, PageQueryDto, paginationOf, requireTenant, Roles, toApiTimestamp, type RequestContext, RequiresTenant } from '@as2-partners/platform';
import { TRAFFIC_READERS } from '../../api-conventions/traffic-roles';
import { TrafficTargets, type TrafficTarget } from '../../partner-access/traffic-target';
import type { TrafficTimelineDocument } from './partner-traffic.document';
import { TrafficQueries } from './traffic-queries';
import { TRAFFIC_PAUSED_PAGE, TRAFFIC_STATE_READ, TRAFFIC_TIMELINE_PAGE, TRAFFIC_WINDOWS_READ } from '../../api-conventions/traffic-control.openapi';

@ApiTags('traffic')
@ApiBearerAuth()
@Roles(...TRAFFIC_READERS)
@RequiresTenant()
@Controller('v1')
export class TrafficController {
  constructor(
    private readonly targets: TrafficTargets,
    private readonly queries: TrafficQueries,
  ) {}

  @Get('partners/:id/traffic')
  @ApiOperation({ summary: "The partner's traffic per direction (paused, response, reason, since, until, by whom, active window) and the next scheduled change" })
  @ApiResponse({ status: 200, description: 'OK', schema: TRAFFIC_STATE_READ })
  async state(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return { data: await this.queries.stateOf(await this.targets.ofTenant(ctx, id)) };
  }

  @Get('partners/:id/traffic/windows')
  @ApiOperation({ summary: "The partner's scheduled and running maintenance windows: the tenant's and, on an inherited master partner, the account's, each with its level" })
  @ApiResponse({ status: 200, description: 'OK', schema: TRAFFIC_WINDOWS_READ })
  async windows(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return { data: await this.queries.windowsOf(await this.targets.ofTenant(ctx, id)) };
  }

  @Get('partners/:id/traffic/timeline')
  @ApiOperation({ summary: "The partner's traffic events, newest first, with actor and reason, paginated" })
  @ApiResponse({ status: 200, description: 'OK', schema: TRAFFIC_TIMELINE_PAGE })
  async timeline(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: PageQueryDto) {
    return timelinePage(this.queries, await this.targets.ofTenant(ctx, id), query);
  }

  @Get('traffic/paused')
  @ApiOperation({ summary: "Every paused partner of the tenant (its own pauses and the account's on inherited partners), paginated" })
  @ApiResponse({ status: 200, description: 'OK', schema: TRAFFIC_PAUSED_PAGE })
  async paused(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto) {
    const tenant = requireTenant(ctx);
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const result = await this.queries.pausedOf(ctx.caller.account, tenant, page, perPage);
    return { data: result.items, pagination: paginationOf(page, perPage, result.total, result.items.length) };
  }
}

@ApiTags('traffic')
@ApiBearerAuth()
@Roles('account_admin')
@Controller('v1/accounts/:account/partners/:id/traffic')
export class AccountTrafficController {
  constructor(
    private readonly targets: TrafficTargets,
    private readonly queries: TrafficQueries,
  ) {}

  @Get()
  @ApiOperation({ summary: "A master partner's account-level traffic state" })
  @ApiResponse({ status: 200, description: 'OK', schema: TRAFFIC_STATE_READ })
  async state(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string) {
    return { data: await this.queries.stateOf(await this.targets.ofAccount(ctx, account, id)) };
  }

  @Get('windows')
  @ApiOperation({ summary: "A master partner's account-level maintenance windows" })
  @ApiResponse({ status: 200, description: 'OK', schema: TRAFFIC_WINDOWS_READ })
  async windows(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string) {
    return { data: await this.queries.windowsOf(await this.targets.ofAccount(ctx, account, id)) };
  }

  @Get('timeline')
  @ApiOperation({ summary: "A master partner's account-level traffic events, newest first, with actor and reason (no tenant's own), paginated" })
  @ApiResponse({ status: 200, description: 'OK', schema: TRAFFIC_TIMELINE_PAGE })
  async timeline(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string, @Query() query: PageQueryDto) {
    return timelinePage(this.queries, await this.targets.ofAccount(ctx, account, id), query);
  }
}

/** One page of a partner's traffic events (20 a page unless asked), with the pagination every list answers. */
async function timelinePage(queries: TrafficQueries, target: TrafficTarget, query: PageQueryDto) {
  const page = query.page ?? 1;
  const perPage = query.per_page ?? 20;
  const found = await queries.timelineOf(target, page, perPage);
  return { data: found.items.map(presentTimelineItem), pagination: paginationOf(page, perPage, found.total, found.items.length) };
}

function presentTimelineItem(doc: TrafficTimelineDocument) {
  // Event data as every body shows it: snake_case keys, six fraction digits (the stored event keeps its own naming).
  return { id: doc._id, type: doc.type, level: doc.tenant === null ? 'account' : 'tenant', actor: doc.actor, occurred_at: toApiTimestamp(doc.occurredAt), data: apiShaped(doc.data) };
}
