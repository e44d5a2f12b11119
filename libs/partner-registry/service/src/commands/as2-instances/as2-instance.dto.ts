import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsNotIn, IsOptional, Matches } from 'class-validator';
import { PartialUpdate, CharacterLength, IsOptionalNotNull } from '@as2-partners/platform';
import { KEY_ALIAS_PATTERN } from '@as2-partners/partner-registry-domain';
import { HEADER_SAFE_NON_BLANK } from '../../partner-settings/partner-settings.dto';
import { EMAIL_PATTERN, IsEmailAddress, IsAs2Id, IsHeaderSafeText, IsRequiredText } from '../../partner-settings/partner-field.validators';

/** Seed 001's AS2 instance fields. */
export class CreateAs2InstanceDto {
  @ApiProperty({ minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9_-]{1,50}$', example: 'mycompany' })
  @IsDefined({ message: 'The my AS2 ID field is required' })
  @IsAs2Id({}, 'my AS2 ID')
  my_as2_id!: string;

  @ApiProperty({ minLength: 1, maxLength: 255, pattern: HEADER_SAFE_NON_BLANK, example: 'My Company' })
  @IsRequiredText('my name', 255)
  @IsHeaderSafeText('my name', null)
  my_name!: string;

  @ApiProperty({ minLength: 1, maxLength: 100, pattern: `(?!\\.{1,2}$)${KEY_ALIAS_PATTERN.source}`, description: 'Alias of our private key in the keystore (not "." or "..")', example: 'mycompany-2026' })
  @IsDefined({ message: 'The my AS2 alias field is required' })
  @Matches(KEY_ALIAS_PATTERN, { message: 'The my AS2 alias must be 1-100 letters, digits, hyphens, underscores or dots' })
  // URL dot-segments: the keystore's /internal/v1/keys/{alias}/sign could never name the key.
  @IsNotIn(['.', '..'], { message: 'The my AS2 alias must not be "." or ".."' })
  my_as2_alias!: string;

  @ApiProperty({ type: String, format: 'email', maxLength: 254, pattern: EMAIL_PATTERN, example: 'as2@mycompany.example' })
  @IsDefined({ message: 'The my email field is required' })
  @IsEmailAddress('The my email must be a valid email address')
  @CharacterLength(0, 254, { message: 'The my email may not be greater than 254 characters' })
  @IsHeaderSafeText('my email', null)
  my_email!: string;

  @ApiPropertyOptional({ enum: ['on', 'off'], default: 'on', description: 'off: the instance neither sends nor receives' })
  @IsOptionalNotNull()
  @IsIn(['on', 'off'], { message: 'The status must be on or off' })
  status?: 'on' | 'off';
}

/** Every field optional (never null: none of them can be cleared), at least one given. */
@PartialUpdate()
export class UpdateAs2InstanceDto extends PartialType(CreateAs2InstanceDto, { skipNullProperties: false }) {}

export class DeleteAs2InstanceQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Also delete the partnerships that name the instance' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'The cascade field must be true or false' })
  cascade?: boolean;
}
