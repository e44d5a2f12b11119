import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { CLOCK, PARKED_EVENT_STORE, PROJECTION_REGISTRY, type Clock, type ParkedEvent, type ParkedEventStore, type ProjectionRegistry } from '@as2-partners/kernel';
import { Roles } from '../auth/roles.decorator';
import { replayParkedEvent } from './replay-parked-event';

export class ParkedEventsQueryDto {
  @ApiPropertyOptional({ description: 'Only the events this follower (projection, reactor or consumer group) parked.' })
  @IsOptional()
  @IsString({ message: 'The consumer must be a string' })
  @Length(1, 200, { message: 'The consumer must be 1 to 200 characters' })
  consumer?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'The limit must be an integer' })
  @Min(1, { message: 'The limit must be at least 1' })
  @Max(500, { message: 'The limit may not be greater than 500' })
  limit?: number;
}

interface ParkedEventView {
  readonly id: string;
  readonly consumer: string;
  readonly topic: string | null;
  readonly error: string;
  readonly attempts: number;
  readonly parked_at: string;
  readonly event: ParkedEvent['event'];
}

function viewOf(entry: ParkedEvent): ParkedEventView {
  return { id: entry.id, consumer: entry.consumer, topic: entry.topic, error: entry.error, attempts: entry.attempts, parked_at: entry.parkedAt, event: entry.event };
}

/**
 * Operators' view of the events this service's followers parked, and their replay. Parked events may hold any
 * tenant's data, so only the `operator` role may call these routes, whatever the caller's account or tenant.
 */
@ApiTags('admin')
@Roles('operator')
@Controller('v1/admin/parked-events')
export class ParkedEventsController {
  constructor(
    @Inject(PARKED_EVENT_STORE) private readonly parked: ParkedEventStore,
    @Inject(PROJECTION_REGISTRY) private readonly registry: ProjectionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async list(@Query() query: ParkedEventsQueryDto): Promise<{ data: ParkedEventView[] }> {
    const entries = await this.parked.list({ consumer: query.consumer, limit: query.limit ?? 100 });
    return { data: entries.map(viewOf) };
  }

  @Post(':id/replay')
  @HttpCode(200)
  async replay(@Param('id') id: string): Promise<{ data: { id: string; replayed: true } }> {
    const entry = await replayParkedEvent(this.registry, this.parked, id, () => this.clock.now());
    return { data: { id: entry.id, replayed: true } };
  }
}
