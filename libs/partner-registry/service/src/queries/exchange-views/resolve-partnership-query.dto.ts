import { ACCOUNT_ID_PATTERN, TENANT_ID_MESSAGE, TENANT_ID_PATTERN } from '@as2-partners/kernel';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { IsAccountId } from '@as2-partners/platform';
import { IsAs2Id } from '../../partner-settings/partner-field.validators';

/** The two AS2 ids a message names (its AS2-From and AS2-To headers). */
export class ResolvePartnershipQueryDto {
  @ApiProperty({ minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9_-]{1,50}$', description: 'AS2-From of the message: ours (outbound) or the partner\'s (inbound)' })
  @IsDefined({ message: 'The as2_from field is required' })
  @IsAs2Id()
  as2_from!: string;

  @ApiProperty({ minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9_-]{1,50}$', description: 'AS2-To of the message' })
  @IsDefined({ message: 'The as2_to field is required' })
  @IsAs2Id()
  as2_to!: string;

  @ApiPropertyOptional({
    enum: ['outbound', 'inbound'],
    description:
      "Which way the message goes, when the gateway knows: outbound (as2_from is ours) or inbound (as2_from is the partner's). Without it the outbound reading is tried first; give it when two of our identities are also partners of each other, where both readings name a pair",
  })
  @IsOptional()
  @IsIn(['outbound', 'inbound'], { message: 'The direction must be outbound or inbound' })
  direction?: 'outbound' | 'inbound';

  @ApiPropertyOptional({ minLength: 1, maxLength: 64, pattern: TENANT_ID_PATTERN.source, description: 'For a gateway token without a tenant claim: the tenant the message belongs to' })
  @IsOptional()
  @IsString({ message: 'The tenant must be a string' })
  @Matches(TENANT_ID_PATTERN, { message: TENANT_ID_MESSAGE })
  tenant?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 128, pattern: ACCOUNT_ID_PATTERN.source, description: 'For a gateway token of every account (account "*"): the account the message belongs to' })
  @IsOptional()
  @IsAccountId()
  account?: string;
}
