import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString } from 'class-validator';
import { PageQueryDto, CharacterLength } from '@as2-partners/platform';

export { PageQueryDto };

/** Query of GET /v1/partners and GET /v1/accounts/{account}/partners. */
export class PartnerListQueryDto extends PageQueryDto {
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

  @ApiPropertyOptional({ enum: ['tenant', 'inherited', 'all'], default: 'all' })
  @IsOptional()
  @IsIn(['tenant', 'inherited', 'all'], { message: 'The selected type is invalid' })
  type?: 'tenant' | 'inherited' | 'all';

  @ApiPropertyOptional({ minLength: 1, maxLength: 64, description: 'Only the partners of this station' })
  @IsOptional()
  @IsString({ message: 'The station id must be a string' })
  @CharacterLength(1, 64, { message: 'The station id must be between 1 and 64 characters' })
  station_id?: string;
}
