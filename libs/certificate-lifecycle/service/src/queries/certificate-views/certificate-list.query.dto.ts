import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';
import { CERTIFICATE_USAGES } from '@as2-partners/certificate-lifecycle-domain';
import { DATE_OR_DATE_TIME, PageQueryDto } from '@as2-partners/platform';

/** Query of GET /v1/certificates. */
export class CertificateListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CERTIFICATE_USAGES })
  @IsOptional()
  @IsIn(CERTIFICATE_USAGES, { message: `The usage must be one of: ${CERTIFICATE_USAGES.join(', ')}` })
  usage?: string;

  @ApiPropertyOptional({ pattern: '^prt_[0-9A-HJKMNP-TV-Z]{26}$', description: 'Only certificates attached to this partner' })
  @IsOptional()
  @Matches(/^prt_[0-9A-HJKMNP-TV-Z]{26}$/, { message: 'The partner_id must be a partner id (prt_…)' })
  partner_id?: string;

  @ApiPropertyOptional({ type: String, pattern: DATE_OR_DATE_TIME.source, description: 'ISO-8601 instant (a date-time, UTC when it has no offset, or a date: its midnight UTC): only certificates whose not_after is before it' })
  @IsOptional()
  // RFC 3339 takes a lowercase 't' and 'z' (the pattern documents them); the ISO 8601 check reads the uppercase form
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsISO8601({ strict: true }, { message: 'The expiring_before must be an ISO-8601 date-time' })
  // ISO 8601 has forms no Date reads (20270101, 2027-W01, an hour alone): refused as the format, never a 500
  @Matches(DATE_OR_DATE_TIME, { message: 'The expiring_before must be an ISO-8601 date-time' })
  expiring_before?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'The active field must be true or false' })
  active?: boolean;
}
