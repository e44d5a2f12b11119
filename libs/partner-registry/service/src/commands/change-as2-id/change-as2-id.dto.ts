import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsString } from 'class-validator';
import { CharacterLength, IsOptionalNotNull } from '@as2-partners/platform';
import { HEADER_SAFE_TEXT } from '../../partner-settings/partner-settings.dto';
import { IsAs2Id, IsHeaderSafeText } from '../../partner-settings/partner-field.validators';

export class ChangeAs2IdDto {
  @ApiProperty({ minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9_-]{1,50}$' })
  @IsDefined({ message: 'The new AS2 ID field is required' })
  @IsAs2Id()
  new_as2_id!: string;

  @ApiPropertyOptional({ description: 'Must be true: the risks of seed 000 were read and accepted (see the impact route)' })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'The acknowledge risks field must be true or false' })
  acknowledge_risks?: boolean;

  @ApiPropertyOptional({ minLength: 1, maxLength: 500, pattern: HEADER_SAFE_TEXT, description: 'Why the id changes; kept in the event' })
  @IsOptionalNotNull()
  @IsString({ message: 'The reason must be a string' })
  @CharacterLength(1, 500, { message: 'The reason must be between 1 and 500 characters' })
  @IsHeaderSafeText('reason')
  reason?: string;
}

export class As2IdChangeImpactQueryDto {
  @ApiProperty({ minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9_-]{1,50}$' })
  @IsDefined({ message: 'The new AS2 ID field is required' })
  @IsAs2Id()
  new_as2_id!: string;
}
