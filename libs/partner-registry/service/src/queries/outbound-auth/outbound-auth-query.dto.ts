import { ACCOUNT_ID_PATTERN, TENANT_ID_MESSAGE, TENANT_ID_PATTERN } from '@as2-partners/kernel';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { IsAccountId } from '@as2-partners/platform';

/** GET /internal/v1/partners/{id}/outbound-auth: whose view of the partner (a gateway token without those claims names them). */
export class OutboundAuthQueryDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 64, pattern: TENANT_ID_PATTERN.source, description: 'For a gateway token without a tenant claim: the tenant that sends to the partner' })
  @IsOptional()
  @IsString({ message: 'The tenant must be a string' })
  @Matches(TENANT_ID_PATTERN, { message: TENANT_ID_MESSAGE })
  tenant?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 128, pattern: ACCOUNT_ID_PATTERN.source, description: 'For a gateway token of every account (account "*"): the account of the partner' })
  @IsOptional()
  @IsAccountId()
  account?: string;
}
