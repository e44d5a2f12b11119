import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { PageQueryDto, CharacterLength } from '@as2-partners/platform';

export class PartnershipListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only the partnerships of this AS2 instance', minLength: 1, maxLength: 64 })
  @IsOptional()
  @IsString({ message: 'The AS2 instance id must be a string' })
  @CharacterLength(1, 64, { message: 'The AS2 instance id must be between 1 and 64 characters' })
  as2_instance_id?: string;

  @ApiPropertyOptional({ description: 'Only the partnerships of this partner', minLength: 1, maxLength: 64 })
  @IsOptional()
  @IsString({ message: 'The partner id must be a string' })
  @CharacterLength(1, 64, { message: 'The partner id must be between 1 and 64 characters' })
  partner_id?: string;
}
