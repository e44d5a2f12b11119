import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsString } from 'class-validator';
import { CharacterLength, IsOptionalNotNull } from '@as2-partners/platform';
import { TEST_TYPES, type TestType } from '@as2-partners/connection-tester-domain';

export class TestPartnerDto {
  @ApiProperty({ enum: TEST_TYPES })
  @IsIn(TEST_TYPES, { message: (args) => (args.value === undefined || args.value === null ? 'The test type field is required' : 'The selected test type is invalid') })
  test_type!: TestType;

  @ApiPropertyOptional({ minLength: 1, maxLength: 64, description: 'Our AS2 instance to test as (default: the partnership’s, else the default identity of the partner’s station)' })
  @IsOptionalNotNull()
  @IsString({ message: 'The as2 instance id must be a string' })
  @CharacterLength(1, 64, { message: 'The as2 instance id must be 1 to 64 characters' })
  as2_instance_id?: string;

  @ApiPropertyOptional({ enum: ['current', 'next'], default: 'current', description: '`next`: the partner’s scheduled next certificates (rollover or backup)' })
  @IsOptionalNotNull()
  @IsIn(['current', 'next'], { message: 'The certificates must be current or next' })
  certificates?: 'current' | 'next';

  @ApiPropertyOptional({ description: 'Required true for `full`: AS2 has no test flag, the partner’s back end receives the test file' })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'The acknowledge payload delivery field must be true or false' })
  acknowledge_payload_delivery?: boolean;
}
