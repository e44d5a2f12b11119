import { ENCRYPT_ALGORITHMS, MDN_MODES, SIGN_ALGORITHMS } from '@as2-partners/partner-registry-domain';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsIn, IsOptional, IsString } from 'class-validator';
import { PartialUpdate, CharacterLength } from '@as2-partners/platform';
import { HEADER_SAFE_TEXT } from '../../partner-settings/partner-settings.dto';
import { IsHeaderSafeText } from '../../partner-settings/partner-field.validators';

const UNSUPPORTED_ALGORITHM = { code: 'UNSUPPORTED_ALGORITHM' };

/** What a partnership may set for its pair; absent = the partner's setting; in a PATCH, null removes an override. */
export class PartnershipOverridesDto {
  @ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 255, pattern: HEADER_SAFE_TEXT, description: 'Subject of messages of this pair' })
  @IsOptional()
  @IsString({ message: 'The subject must be a string' })
  @CharacterLength(1, 255, { message: 'The subject must be between 1 and 255 characters' })
  @IsHeaderSafeText('subject')
  subject?: string | null;

  @ApiPropertyOptional({ type: String, enum: MDN_MODES, nullable: true })
  @IsOptional()
  @IsIn(MDN_MODES, { message: 'The selected MDN mode is invalid' })
  mdn_mode?: string | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true })
  @IsOptional()
  @IsBoolean({ message: 'The sign field must be true or false' })
  sign?: boolean | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true })
  @IsOptional()
  @IsBoolean({ message: 'The encrypt field must be true or false' })
  encrypt?: boolean | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true })
  @IsOptional()
  @IsBoolean({ message: 'The compress field must be true or false' })
  compress?: boolean | null;

  @ApiPropertyOptional({ type: String, enum: SIGN_ALGORITHMS, nullable: true })
  @IsOptional()
  @IsIn(SIGN_ALGORITHMS, { message: 'The selected signing algorithm is invalid', context: UNSUPPORTED_ALGORITHM })
  sign_algorithm?: string | null;

  @ApiPropertyOptional({ type: String, enum: ENCRYPT_ALGORITHMS, nullable: true })
  @IsOptional()
  @IsIn(ENCRYPT_ALGORITHMS, { message: 'The selected encryption algorithm is invalid', context: UNSUPPORTED_ALGORITHM })
  encrypt_algorithm?: string | null;
}

export class CreatePartnershipDto extends PartnershipOverridesDto {
  @ApiProperty({ minLength: 1, maxLength: 64, example: 'ins_01HX…', description: "One of the tenant's AS2 instances, or an inherited one" })
  @IsDefined({ message: 'The AS2 instance id field is required' })
  @IsString({ message: 'The AS2 instance id must be a string' })
  @CharacterLength(1, 64, { message: 'The AS2 instance id must be between 1 and 64 characters' })
  as2_instance_id!: string;

  @ApiProperty({ minLength: 1, maxLength: 64, example: 'prt_01HX…', description: "One of the tenant's partners, or an inherited one" })
  @IsDefined({ message: 'The partner id field is required' })
  @IsString({ message: 'The partner id must be a string' })
  @CharacterLength(1, 64, { message: 'The partner id must be between 1 and 64 characters' })
  partner_id!: string;
}

/** At least one override field; the pair itself never changes (delete and create another). */
@PartialUpdate()
export class UpdatePartnershipDto extends PartnershipOverridesDto {}
