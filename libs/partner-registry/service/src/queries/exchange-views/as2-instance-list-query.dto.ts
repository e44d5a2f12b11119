import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '@as2-partners/platform';

export class As2InstanceListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['tenant', 'inherited', 'all'], default: 'all' })
  @IsOptional()
  @IsIn(['tenant', 'inherited', 'all'], { message: 'The selected type is invalid' })
  type?: 'tenant' | 'inherited' | 'all';
}
