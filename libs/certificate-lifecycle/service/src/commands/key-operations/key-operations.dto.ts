import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBase64, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { digestAlgorithms } from '@as2-partners/as2';

const TENANT = /^[A-Za-z0-9_-]{1,64}$/;

/** POST /internal/v1/keys/{alias}/sign */
export class SignRequestDto {
  @ApiProperty({ description: 'The bytes to sign (the MIME entity of a multipart/signed body), base64' })
  @IsString({ message: 'The content field is required' })
  @IsBase64({}, { message: 'The content must be base64' })
  content!: string;

  @ApiPropertyOptional({ enum: digestAlgorithms, default: 'sha256' })
  @IsOptional()
  @IsIn([...digestAlgorithms], { message: `The algorithm must be one of: ${digestAlgorithms.join(', ')}` })
  algorithm?: (typeof digestAlgorithms)[number];

  @ApiPropertyOptional({ description: 'The instance\'s tenant, for a gateway token without a tenant claim' })
  @IsOptional()
  @Matches(TENANT, { message: 'The tenant must be 1-64 letters, digits, "-" or "_"' })
  tenant?: string;
}

/** POST /internal/v1/keys/{alias}/decrypt */
export class DecryptRequestDto {
  @ApiProperty({ description: 'A CMS EnvelopedData (DER), base64' })
  @IsString({ message: 'The enveloped field is required' })
  @IsBase64({}, { message: 'The enveloped data must be base64' })
  @MaxLength(1_400_000, { message: 'The enveloped data is too large' })
  enveloped!: string;

  @ApiPropertyOptional({ description: 'The instance\'s tenant, for a gateway token without a tenant claim' })
  @IsOptional()
  @Matches(TENANT, { message: 'The tenant must be 1-64 letters, digits, "-" or "_"' })
  tenant?: string;
}
