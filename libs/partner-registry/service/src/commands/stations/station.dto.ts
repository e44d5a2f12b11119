import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsDefined, IsOptional, IsString } from 'class-validator';
import { PartialUpdate, CharacterLength } from '@as2-partners/platform';
import { HEADER_SAFE_NON_BLANK } from '../../partner-settings/partner-settings.dto';
import { EMAIL_PATTERN, IsEmailAddress, IsHeaderSafeText, IsRequiredText } from '../../partner-settings/partner-field.validators';

export class CreateStationDto {
  @ApiProperty({ minLength: 1, maxLength: 255, pattern: HEADER_SAFE_NON_BLANK, example: 'EU warehouse' })
  @IsRequiredText('name', 255)
  @IsHeaderSafeText('name', null)
  name!: string;

  @ApiProperty({ type: String, format: 'email', maxLength: 254, pattern: EMAIL_PATTERN, example: 'edi-ops@us.example.com', description: 'Where failure notices about the station\'s partners go' })
  @IsDefined({ message: 'The notification email field is required' })
  @IsEmailAddress('The notification email must be a valid email address')
  @CharacterLength(0, 254, { message: 'The notification email may not be greater than 254 characters' })
  @IsHeaderSafeText('notification email', null)
  notification_email!: string;

  @ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 64, description: 'Default AS2 identity of the station (own or inherited instance)' })
  @IsOptional()
  @IsString({ message: 'The AS2 instance id must be a string' })
  @CharacterLength(1, 64, { message: 'The AS2 instance id must be between 1 and 64 characters' })
  as2_instance_id?: string | null;
}

/** Name and notification email can change but never be cleared (null is refused); the AS2 instance can be (null). */
@PartialUpdate()
export class UpdateStationDto extends PartialType(CreateStationDto, { skipNullProperties: false }) {}
