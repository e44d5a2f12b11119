import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { INCOMING_RESPONSES, WINDOW_DIRECTIONS, type IncomingResponse, type WindowDirection } from '@as2-partners/traffic-control-domain';
import { MAX_REASON_LENGTH } from '../pause-traffic/traffic-pause.dto';

/** POST /v1/partners/{id}/traffic/windows. */
export class ScheduleWindowDto {
  @ApiProperty({ enum: WINDOW_DIRECTIONS })
  @IsIn(WINDOW_DIRECTIONS, { message: `The direction must be one of: ${WINDOW_DIRECTIONS.join(', ')}` })
  direction!: WindowDirection;

  @ApiProperty({ format: 'date-time', example: '2026-12-01T02:00:00Z' })
  @IsString({ message: 'The starts_at field is required' })
  starts_at!: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-01T04:00:00Z' })
  @IsString({ message: 'The ends_at field is required' })
  ends_at!: string;

  @ApiPropertyOptional({ enum: INCOMING_RESPONSES, description: 'Required unless the direction is outgoing' })
  @ValidateIf((o: ScheduleWindowDto) => o.direction !== 'outgoing' || o.response !== undefined)
  @IsIn(INCOMING_RESPONSES, { message: `The response must be one of: ${INCOMING_RESPONSES.join(', ')}` })
  response?: IncomingResponse;

  @ApiProperty({ minLength: 1, maxLength: MAX_REASON_LENGTH })
  @IsString({ message: 'The reason field is required' })
  @MinLength(1, { message: 'The reason field is required' })
  @MaxLength(MAX_REASON_LENGTH, { message: `The reason may not be greater than ${MAX_REASON_LENGTH} characters` })
  reason!: string;
}
