import { ApiPropertyOptional } from '@nestjs/swagger';
import { DecimalInteger } from './decimal-integer';
import { IsOptional } from 'class-validator';
import { IntegerBetween } from './integer-between.decorator';

/** Far past any real list; keeps page arithmetic exact (a page of 1e308 is no integer in JSON). */
export const MAX_PAGE = 1_000_000;

/** `page` and `per_page` of every list. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional()
  @DecimalInteger()
  @IntegerBetween('page', 1, MAX_PAGE)
  page?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @DecimalInteger()
  @IntegerBetween('per page', 1, 100)
  per_page?: number;
}
