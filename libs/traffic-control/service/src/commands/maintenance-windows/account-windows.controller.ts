import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { Ctx, ReadYourWrites, Roles, type RequestContext } from '@as2-partners/platform';
import { TrafficTargets } from '../../partner-access/traffic-target';
import { ScheduleWindowDto } from './maintenance-window.dto';
import { MaintenanceWindowsHandler } from './maintenance-windows.handler';
import { TRAFFIC_WINDOW_CANCELLED, TRAFFIC_WINDOW_SCHEDULED } from '../../api-conventions/traffic-control.openapi';

@ApiTags('traffic')
@ApiBearerAuth()
@Roles('account_admin')
@Controller('v1/accounts/:account/partners/:id/traffic/windows')
export class AccountWindowsController {
  constructor(
    private readonly targets: TrafficTargets,
    private readonly handler: MaintenanceWindowsHandler,
  ) {}

  @Post()
  @ReadYourWrites()
  @HttpCode(201)
  @ApiOperation({ summary: "Schedule a maintenance window on a master partner for every tenant of the account" })
  @ApiResponse({ status: 201, description: 'OK', schema: TRAFFIC_WINDOW_SCHEDULED })
  @ApiResponse({ status: 422, description: 'Validation failed: VALIDATION_FAILED, INVALID_TRAFFIC_SETTING (a response on outgoing), WINDOW_IN_PAST, INVALID_WINDOW (ends before it starts), WINDOW_LIMIT_EXCEEDED' })
  @ApiResponse({ status: 409, description: 'WINDOW_OVERLAP: it overlaps a window that also pauses incoming traffic (incoming or both) with another response (details.window_ids); windows of one direction merge only when they answer alike' })
  async schedule(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string, @Body() body: ScheduleWindowDto) {
    return (await this.handler.schedule(ctx, await this.targets.ofAccount(ctx, account, id), body)).map((data) => ({ message: 'Maintenance window scheduled', data }));
  }

  @Delete(':windowId')
  @ReadYourWrites()
  @HttpCode(200)
  @ApiOperation({ summary: "Cancel an account-level maintenance window" })
  @ApiResponse({ status: 200, description: 'OK', schema: TRAFFIC_WINDOW_CANCELLED })
  @ApiResponse({ status: 404, description: 'PARTNER_NOT_FOUND, WINDOW_NOT_FOUND' })
  async cancel(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string, @Param('windowId') windowId: string) {
    return (await this.handler.cancel(ctx, await this.targets.ofAccount(ctx, account, id), windowId)).map((data) => ({ message: 'Maintenance window cancelled', data }));
  }
}
