import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/** `page` and `per_page` of every list. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'The page must be an integer' })
  @Min(1, { message: 'The page must be at least 1' })
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'The per page must be an integer' })
  @Min(1, { message: 'The per page must be at least 1' })
  @Max(100, { message: 'The per page may not be greater than 100' })
  per_page?: number;
}

/** Query of GET /v1/partners and GET /v1/accounts/{account}/partners. */
export class PartnerListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 255, description: 'Case-insensitive substring of the name or the AS2 id' })
  @IsOptional()
  @IsString({ message: 'The search must be a string' })
  @Length(1, 255, { message: 'The search must be between 1 and 255 characters' })
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
}
