import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FOLLOWERS_REPORT } from '../http/openapi/api-schemas';
import { Roles } from '../auth/roles.decorator';
import { isKnown, PipelineMonitor, type FollowerStatus, type PipelineEntry } from './pipeline-monitor';

/** Operators' view of every follower of this process: /health/ready's list (`failing` too), with the last error text it leaves out. */
@ApiTags('admin')
@Roles('operator')
@Controller('v1/admin/followers')
export class FollowersController {
  constructor(private readonly pipeline: PipelineMonitor) {}

  @Get()
  @ApiOperation({ summary: 'Every follower of this process (projections, reactors, outbox relays): lag, stall, last error' })
  @ApiResponse({ status: 200, description: 'OK', schema: FOLLOWERS_REPORT })
  async list(): Promise<{ data: (PipelineEntry | (FollowerStatus & { failing: boolean }))[]; stall_bound_seconds: number }> {
    const data = (await this.pipeline.report()).map((entry) => (isKnown(entry) ? { ...entry, failing: entry.lastError !== null } : entry));
    return { data, stall_bound_seconds: this.pipeline.stallBoundSeconds };
  }
}
