import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsString, Matches } from 'class-validator';
import { CONTROL_CHARACTER_RANGES } from '@as2-partners/kernel';
import { CharacterLength, DATE_TIME_TEXT, IsOptionalNotNull, requiredOr } from '@as2-partners/platform';
import { SLOT_NAMES } from '@as2-partners/certificate-lifecycle-domain';

/** POST /v1/partners/{id}/trust/rollover (CemScheduleRollover). */
export class ScheduleRolloverDto {
  @ApiProperty({ example: 'cert_01JD…' })
  @IsString({ message: requiredOr('next_certificate_id', 'a certificate id (text)') })
  next_certificate_id!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-01T00:00:00.000000Z' })
  @IsString({ message: requiredOr('activate_at', DATE_TIME_TEXT) })
  activate_at!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-08T00:00:00.000000Z' })
  @IsString({ message: requiredOr('overlap_until', DATE_TIME_TEXT) })
  overlap_until!: string;

  @ApiPropertyOptional({ enum: SLOT_NAMES, isArray: true, minItems: 1, maxItems: SLOT_NAMES.length, uniqueItems: true, default: ['encryption', 'signature'] })
  @IsOptionalNotNull()
  @IsArray({ message: 'The slots must be an array' })
  @ArrayMinSize(1, { message: 'The slots must name at least one slot' })
  // Before @ArrayUnique, whose check is quadratic (60,000 distinct names held the event loop ~8 s): a longer list is
  // refused on its length alone by the request pipe.
  @ArrayMaxSize(SLOT_NAMES.length, { message: `The slots may name at most ${SLOT_NAMES.length} slots` })
  @ArrayUnique({ message: 'The slots must not repeat' })
  @IsIn(SLOT_NAMES, { each: true, message: `Each slot must be one of: ${SLOT_NAMES.join(', ')}` })
  slots?: ('encryption' | 'signature' | 'tls')[];
}

/** POST /v1/partners/{id}/trust/activate (CemActivate): no field; any field sent is refused, as on every JSON route. */
export class ActivateDto {}

const RETIRE_REASON_PATTERN = `^[^${CONTROL_CHARACTER_RANGES}]*$`;

/** POST /v1/partners/{id}/trust/retire (CemRetire). */
export class RetireDto {
  @ApiPropertyOptional({ default: false, description: 'Retire before the overlap closes (needs a reason)' })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'The force field must be true or false' })
  force?: boolean;

  @ApiPropertyOptional({ maxLength: 1000, pattern: RETIRE_REASON_PATTERN })
  @IsOptionalNotNull()
  @IsString({ message: 'The reason must be a string' })
  @CharacterLength(0, 1000, { message: 'The reason may not be greater than 1000 characters' })
  // Shown in the timeline and its evidence: one line, read as written (no line break, no bidirectional override).
  @Matches(new RegExp(RETIRE_REASON_PATTERN, 'u'), { message: 'The reason must not contain control characters (line breaks, tabs, NUL)' })
  reason?: string;
}
