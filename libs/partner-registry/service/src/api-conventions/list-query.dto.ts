import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString } from 'class-validator';
import { PageQueryDto, CharacterLength } from '@as2-partners/platform';

export { PageQueryDto };

/** What GET /v1/partners and GET /v1/accounts/{account}/partners both filter by. */
abstract class PartnerFiltersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 255, description: 'Case-insensitive substring of the name or the AS2 id' })
  @IsOptional()
  @IsString({ message: 'The search must be a string' })
  @CharacterLength(1, 255, { message: 'The search must be between 1 and 255 characters' })
  search?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'The active field must be true or false' })
  active?: boolean;

  @ApiPropertyOptional({ minLength: 1, maxLength: 64, description: 'Only the partners of this station' })
  @IsOptional()
  @IsString({ message: 'The station id must be a string' })
  @CharacterLength(1, 64, { message: 'The station id must be between 1 and 64 characters' })
  station_id?: string;
}

/** Query of GET /v1/partners. */
export class PartnerListQueryDto extends PartnerFiltersQueryDto {
  @ApiPropertyOptional({ enum: ['tenant', 'inherited', 'all'], default: 'all' })
  @IsOptional()
  @IsIn(['tenant', 'inherited', 'all'], { message: 'The selected type is invalid' })
  type?: 'tenant' | 'inherited' | 'all';
}

/**
 * Query of GET /v1/accounts/{account}/partners. Every item of the masters' list has the type `master`, so the list takes
 * that value too; `master`, `inherited` (what the tenants inherit) and `all` list every master partner, `tenant` none.
 */
export class MasterPartnerListQueryDto extends PartnerFiltersQueryDto {
  @ApiPropertyOptional({
    enum: ['master', 'inherited', 'tenant', 'all'],
    default: 'all',
    description:
      "The tenant list's filter, as it reads on the account's own list: every partner here is a master (`type: \"master\"`), the one every tenant inherits; `master`, `inherited` and `all` list them all, `tenant` none (tenants' own partners are on their lists only)",
  })
  @IsOptional()
  @IsIn(['master', 'inherited', 'tenant', 'all'], { message: 'The selected type is invalid' })
  type?: 'master' | 'inherited' | 'tenant' | 'all';
}
