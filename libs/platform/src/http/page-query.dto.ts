import { ApiPropertyOptional } from '@nestjs/swagger';
import { DecimalInteger } from './decimal-integer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Far past any real list; keeps page arithmetic exact (a page of 1e308 is no integer in JSON). */
export const MAX_PAGE = 1_000_000;

/** `page` and `per_page` of every list. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional()
  @DecimalInteger()
  @IsInt({ message: 'The page must be an integer' })
  @Min(1, { message: 'The page must be at least 1' })
  @Max(MAX_PAGE, { message: `The page may not be greater than ${MAX_PAGE}` })
  page?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @DecimalInteger()
  @IsInt({ message: 'The per page must be an integer' })
  @Min(1, { message: 'The per page must be at least 1' })
  @Max(100, { message: 'The per page may not be greater than 100' })
  per_page?: number;
}
