import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, ValidateIf } from 'class-validator';
import { DATE_TIME_TEXT, requiredOr } from '@as2-partners/platform';
import { INCOMING_RESPONSES, WINDOW_DIRECTIONS, type IncomingResponse, type WindowDirection } from '@as2-partners/traffic-control-domain';
import { IsReasonText, MAX_REASON_LENGTH, REASON_TEXT_PATTERN } from '../../api-conventions/reason-text';

/** POST /v1/partners/{id}/traffic/windows. */
export class ScheduleWindowDto {
  @ApiProperty({ enum: WINDOW_DIRECTIONS })
  @IsIn(WINDOW_DIRECTIONS, { message: `The direction must be one of: ${WINDOW_DIRECTIONS.join(', ')}` })
  direction!: WindowDirection;

  @ApiProperty({ format: 'date-time', example: '2026-12-01T02:00:00Z' })
  @IsString({ message: requiredOr('starts_at', DATE_TIME_TEXT) })
  starts_at!: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-01T04:00:00Z' })
  @IsString({ message: requiredOr('ends_at', DATE_TIME_TEXT) })
  ends_at!: string;

  @ApiPropertyOptional({ enum: INCOMING_RESPONSES, description: 'Required unless the direction is outgoing' })
  // Checked when given (a JSON null is no mode: 422 naming it); an incoming window without one is the decider's to
  // refuse (422 INVALID_TRAFFIC_SETTING, as documented).
  @ValidateIf((o: ScheduleWindowDto) => o.response !== undefined)
  @IsIn(INCOMING_RESPONSES, { message: `The response must be one of: ${INCOMING_RESPONSES.join(', ')}` })
  response?: IncomingResponse;

  @ApiProperty({ minLength: 1, maxLength: MAX_REASON_LENGTH, pattern: REASON_TEXT_PATTERN })
  @IsReasonText('The reason field is required')
  reason!: string;
}
