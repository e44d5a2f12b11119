import { PLANS } from '@as2-partners/partner-registry-domain';
import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { PartialUpdate } from '@as2-partners/platform';
import { IsRequiredText } from '../../partner-settings/partner-field.validators';

export class CreateTenantDto {
  @ApiPropertyOptional({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'The id tokens carry in their `tenant` claim; generated when omitted' })
  @IsOptional()
  @IsString({ message: 'The id must be a string' })
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'The id must be 1-64 letters, digits, hyphens or underscores' })
  id?: string;

  @ApiProperty({ minLength: 1, maxLength: 255 })
  @IsRequiredText('name', 255)
  name!: string;

  @ApiPropertyOptional({ enum: PLANS, default: 'free' })
  @IsOptional()
  @IsIn(PLANS, { message: 'The selected plan is invalid' })
  plan?: string;
}

@PartialUpdate()
export class UpdateTenantDto extends PartialType(PickType(CreateTenantDto, ['name', 'plan'] as const), { skipNullProperties: false }) {}
