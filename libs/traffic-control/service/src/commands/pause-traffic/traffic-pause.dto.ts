import { ApiHideProperty, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsBoolean, IsDefined, IsIn, IsOptional, IsString, ValidateIf } from 'class-validator';
import { INCOMING_RESPONSES, MAX_RETRY_AFTER_SECONDS, type IncomingResponse } from '@as2-partners/traffic-control-domain';
import { IsReasonText, MAX_REASON_LENGTH, REASON_TEXT_PATTERN } from '../../api-conventions/reason-text';
import { IsRetryAfterSeconds } from '../../api-conventions/retry-after-seconds';

/** PUT /v1/partners/{id}/traffic/incoming: pause with a response mode, or `{paused: false}` to resume. */
export class PauseIncomingDto {
  @ApiProperty()
  @IsBoolean({ message: 'The paused field must be true or false' })
  paused!: boolean;

  // Checked when given (a JSON null is no mode: 422 naming it); a pause without one is the decider's to refuse (422
  // INVALID_TRAFFIC_SETTING, as documented).
  @ApiPropertyOptional({ enum: INCOMING_RESPONSES, description: 'Required when pausing' })
  @ValidateIf((o: PauseIncomingDto) => o.response !== undefined)
  @IsIn(INCOMING_RESPONSES, { message: `The response must be one of: ${INCOMING_RESPONSES.join(', ')}` })
  response?: IncomingResponse;

  @ApiPropertyOptional({ minLength: 1, maxLength: MAX_REASON_LENGTH, pattern: REASON_TEXT_PATTERN, description: 'Required when pausing; optional on a resume (kept on its event)' })
  @ValidateIf((o: PauseIncomingDto) => o.paused === true || o.reason !== undefined)
  @IsReasonText('The reason field is required when pausing')
  reason?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2026-12-01T06:00:00Z', nullable: true, description: 'UTC; the pause ends by itself then' })
  @IsOptional()
  @IsString({ message: 'The until must be an ISO-8601 UTC date-time' })
  until?: string | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_RETRY_AFTER_SECONDS, description: 'http_503_retry only' })
  @IsRetryAfterSeconds()
  retry_after_seconds?: number;
}

/** PUT /v1/partners/{id}/traffic/outgoing: every channel's outbound traffic to the partner. */
export class PauseOutgoingDto {
  @ApiProperty()
  @IsBoolean({ message: 'The paused field must be true or false' })
  paused!: boolean;

  @ApiPropertyOptional({ minLength: 1, maxLength: MAX_REASON_LENGTH, pattern: REASON_TEXT_PATTERN, description: 'Required when pausing; optional on a resume (kept on its event)' })
  @ValidateIf((o: PauseOutgoingDto) => o.paused === true || o.reason !== undefined)
  @IsReasonText('The reason field is required when pausing')
  reason?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2026-12-01T06:00:00Z', nullable: true })
  @IsOptional()
  @IsString({ message: 'The until must be an ISO-8601 UTC date-time' })
  until?: string | null;

  /**
   * Not taken: an outgoing pause has no response mode. A value sent here (not checked as a mode) is refused 422
   * INVALID_TRAFFIC_SETTING by the decider, as documented, not as an unknown field; a JSON null, as on the incoming
   * route and the windows, is the body's error (422 VALIDATION_FAILED naming it), never taken for no mode.
   */
  @ApiHideProperty()
  @Allow()
  @ValidateIf((o: PauseOutgoingDto) => o.response === null)
  @IsDefined({ message: 'The response field takes no null: an outgoing pause has no response mode' })
  response?: IncomingResponse;
}
