import { PLANS } from '@as2-partners/partner-registry-domain';
import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { PartialUpdate, CharacterLength, IsOptionalNotNull } from '@as2-partners/platform';
import { EMAIL_PATTERN, IsEmailAddress, IsHeaderSafeText, IsRequiredText } from '../../partner-settings/partner-field.validators';

export class CreateTenantDto {
  @ApiPropertyOptional({
    pattern: '^(?!_account$)[A-Za-z0-9_-]{1,64}$',
    description: 'The id tokens carry in their `tenant` claim; generated when omitted; not `_account` (it stands for the account itself)',
  })
  @IsOptionalNotNull()
  @IsString({ message: 'The id must be a string' })
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'The id must be 1-64 letters, digits, hyphens or underscores' })
  id?: string;

  @ApiProperty({ minLength: 1, maxLength: 255 })
  @IsRequiredText('name', 255)
  @IsHeaderSafeText('name', null)
  name!: string;

  @ApiPropertyOptional({ enum: PLANS, default: 'free' })
  @IsOptionalNotNull()
  @IsIn(PLANS, { message: 'The selected plan is invalid' })
  plan?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'email',
    nullable: true,
    maxLength: 254,
    pattern: EMAIL_PATTERN,
    example: 'edi-ops@plant1.example',
    description: "Where blocked-message notices go for the tenant's partners without a station address; null clears it",
  })
  @IsOptional()
  @IsEmailAddress('The notification email must be a valid email address')
  @CharacterLength(0, 254, { message: 'The notification email may not be greater than 254 characters' })
  @IsHeaderSafeText('notification email', null)
  notification_email?: string | null;
}

@PartialUpdate()
export class UpdateTenantDto extends PartialType(PickType(CreateTenantDto, ['name', 'plan', 'notification_email'] as const), { skipNullProperties: false }) {}
