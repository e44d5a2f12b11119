import { Body, Controller, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { Ctx, ReadYourWrites, Roles, type RequestContext, RequiresTenant } from '@as2-partners/platform';
import { TRAFFIC_WRITERS } from '../../api-conventions/traffic-roles';
import { TrafficTargets } from '../../partner-access/traffic-target';
import { PauseTrafficHandler } from './pause-traffic.handler';
import { PauseIncomingDto, PauseOutgoingDto } from './traffic-pause.dto';
import { TRAFFIC_STATE_READ } from '../../api-conventions/traffic-control.openapi';

@ApiTags('traffic')
@ApiBearerAuth()
@Roles(...TRAFFIC_WRITERS)
@RequiresTenant()
@Controller('v1/partners/:id/traffic')
export class TenantTrafficPauseController {
  constructor(
    private readonly targets: TrafficTargets,
    private readonly handler: PauseTrafficHandler,
  ) {}

  @Put('incoming')
  @ReadYourWrites()
  @HttpCode(200)
  @ApiOperation({ summary: "Pause (with a response mode) or resume the partner's incoming traffic for this tenant" })
  @ApiResponse({ status: 200, description: 'OK', schema: TRAFFIC_STATE_READ })
  @ApiResponse({ status: 422, description: 'Validation failed: VALIDATION_FAILED, INVALID_TRAFFIC_SETTING (an incoming pause without a response, an outgoing one with one, retry_after_seconds without http_503_retry), UNTIL_IN_PAST' })
  async incoming(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: PauseIncomingDto) {
    return (await this.handler.set(ctx, await this.targets.ofTenant(ctx, id), 'incoming', body)).map((data) => ({ data }));
  }

  @Put('outgoing')
  @ReadYourWrites()
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause or resume all outbound traffic to the partner (every channel) for this tenant' })
  @ApiResponse({ status: 200, description: 'OK', schema: TRAFFIC_STATE_READ })
  @ApiResponse({ status: 422, description: 'Validation failed: VALIDATION_FAILED, INVALID_TRAFFIC_SETTING (an incoming pause without a response, an outgoing one with one, retry_after_seconds without http_503_retry), UNTIL_IN_PAST' })
  async outgoing(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: PauseOutgoingDto) {
    return (await this.handler.set(ctx, await this.targets.ofTenant(ctx, id), 'outgoing', body)).map((data) => ({ data }));
  }
}
