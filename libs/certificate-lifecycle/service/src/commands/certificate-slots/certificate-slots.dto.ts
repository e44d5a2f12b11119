import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, ValidateIf } from 'class-validator';
import { DATE_TIME_TEXT, IsOptionalNotNull, requiredOr } from '@as2-partners/platform';

/** PUT /v1/partners/{id}/certificate-slots/{slot}. For `signature`, `certificate_id: null` or `use_different: false` makes it follow encryption again. */
export class AssignSlotDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'cert_01JD3K4N5M6P7Q8R9S0T1U2V3W', description: 'Required (400 CERTIFICATE_REQUIRED without it) but for the signature slot, where null makes it follow encryption again' })
  @ValidateIf((_, value) => value !== null)
  @IsOptional()
  @IsString({ message: 'The certificate_id must be a string' })
  certificate_id?: string | null;

  @ApiPropertyOptional({ description: 'signature slot only' })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'The use_different field must be true or false' })
  use_different?: boolean;
}

/** PUT /v1/partners/{id}/certificate-slots/{slot}/backup */
export class ScheduleBackupDto {
  @ApiProperty({ example: 'cert_01JD…' })
  @IsString({ message: requiredOr('certificate_id', 'a certificate id (text)') })
  certificate_id!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-01T00:00:00.000000Z', description: 'ISO-8601 UTC, in the future' })
  @IsString({ message: requiredOr('activate_on', DATE_TIME_TEXT) })
  activate_on!: string;
}
