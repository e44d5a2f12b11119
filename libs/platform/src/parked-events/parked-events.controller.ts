import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DecimalInteger } from '../http/decimal-integer';
import { IsOptional, IsString } from 'class-validator';
import { IntegerBetween } from '../http/integer-between.decorator';
import { CharacterLength } from '../http/character-length.decorator';
import { CLOCK, PARKED_EVENT_STORE, PROJECTION_REGISTRY, type Clock, type ParkedEvent, type ParkedEventStore, type ProjectionRegistry } from '@as2-partners/kernel';
import { Roles } from '../auth/roles.decorator';
import { toApiTimestamp } from '../http/api-timestamp';
import { apiTimestampSchema, dataOf } from '../http/openapi/api-schemas';
import { replayParkedEvent } from './replay-parked-event';

export class ParkedEventsQueryDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, description: 'Only the events this follower (projection, reactor or consumer group) parked.' })
  @IsOptional()
  @IsString({ message: 'The consumer must be a string' })
  @CharacterLength(1, 200, { message: 'The consumer must be 1 to 200 characters' })
  consumer?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @DecimalInteger()
  @IntegerBetween('limit', 1, 500)
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

const PARKED_EVENT_SCHEMA = {
  type: 'object',
  required: ['id', 'consumer', 'topic', 'error', 'attempts', 'parked_at', 'event'],
  properties: {
    id: { type: 'string' },
    consumer: { type: 'string' },
    topic: { type: 'string', nullable: true },
    error: { type: 'string' },
    attempts: { type: 'integer', minimum: 1 },
    parked_at: apiTimestampSchema(),
    event: { type: 'object', additionalProperties: true, description: 'The event envelope as the follower received it' },
  },
};

function viewOf(entry: ParkedEvent): ParkedEventView {
  return { id: entry.id, consumer: entry.consumer, topic: entry.topic, error: entry.error, attempts: entry.attempts, parked_at: toApiTimestamp(entry.parkedAt), event: entry.event };
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
  @ApiOperation({ summary: 'The events followers parked after their retries, oldest first' })
  @ApiResponse({ status: 200, description: 'Parked events', schema: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: PARKED_EVENT_SCHEMA } } } })
  async list(@Query() query: ParkedEventsQueryDto): Promise<{ data: ParkedEventView[] }> {
    const entries = await this.parked.list({ consumer: query.consumer, limit: query.limit ?? 100 });
    return { data: entries.map(viewOf) };
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply a parked event again once its cause is fixed (409 PARKED_EVENT_REPLAY_FAILED leaves it parked)' })
  @ApiResponse({ status: 404, description: 'PARKED_EVENT_NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'PARKED_EVENT_REPLAY_FAILED (it stays parked), PARKED_EVENT_CONSUMER_NOT_HERE (another service consumes it)' })
  @ApiResponse({ status: 200, description: 'Replayed', schema: dataOf({ type: 'object', required: ['id', 'replayed'], properties: { id: { type: 'string' }, replayed: { type: 'boolean', enum: [true] } } }) })
  async replay(@Param('id') id: string): Promise<{ data: { id: string; replayed: true } }> {
    const entry = await replayParkedEvent(this.registry, this.parked, id, () => this.clock.now());
    return { data: { id: entry.id, replayed: true } };
  }
}
