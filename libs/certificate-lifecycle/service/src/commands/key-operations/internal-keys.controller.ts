import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@as2-partners/kernel';
import { Ctx, Roles, type RequestContext } from '@as2-partners/platform';
import { KEY_DECRYPTED, KEY_SIGNED } from '../../api-conventions/certificate-lifecycle.openapi';
import { OurKeyOperations, type KeyAliasRef } from '../../keystore/our-key-operations';
import { DecryptRequestDto, SignRequestDto } from './key-operations.dto';

/** The tenant whose keystore a call uses: the token's, or for an account-wide gateway token the one the body names. */
function aliasRef(ctx: RequestContext, alias: string, tenant: string | undefined): KeyAliasRef {
  const own = ctx.caller.tenant;
  if (own !== null && tenant !== undefined && tenant !== own) throw new DomainError('TENANT_FORBIDDEN', 'The token is for another tenant');
  const effective = own ?? tenant;
  if (effective === undefined) throw new DomainError('TENANT_REQUIRED', 'Name the tenant whose key signs or decrypts (field tenant), or use a token with a tenant claim');
  return { account: ctx.caller.account, tenant: effective, alias };
}

/**
 * The keystore port over HTTP, for services in other processes (distributed mode): sign and decrypt as one of our
 * AS2 identities, by alias, without the key ever leaving this service. Role `gateway` only: not a user route.
 */
@ApiTags('internal')
@ApiBearerAuth()
@Controller('internal/v1/keys')
export class InternalKeysController {
  constructor(private readonly operations: OurKeyOperations) {}

  @Post(':alias/sign')
  @HttpCode(200)
  @Roles('gateway')
  @ApiOperation({ summary: 'A detached CMS SignedData (DER, base64) over content, with the alias\'s current key' })
  @ApiResponse({ status: 200, description: 'OK', schema: KEY_SIGNED })
  @ApiResponse({ status: 404, description: 'KEY_NOT_FOUND' })
  async sign(@Ctx() ctx: RequestContext, @Param('alias') alias: string, @Body() body: SignRequestDto) {
    const result = await this.operations.sign(aliasRef(ctx, alias, body.tenant), Buffer.from(body.content, 'base64'), body.algorithm ?? 'sha256');
    return {
      data: { signature: result.signature.toString('base64'), key_id: result.keyId, certificate_fingerprint_sha256: result.certificateFingerprintSha256 },
    };
  }

  @Post(':alias/decrypt')
  @HttpCode(200)
  @Roles('gateway')
  @ApiOperation({ summary: 'Opens a CMS EnvelopedData addressed to the alias (current key, or the previous one during its overlap)' })
  @ApiResponse({ status: 200, description: 'OK', schema: KEY_DECRYPTED })
  @ApiResponse({ status: 404, description: 'KEY_NOT_FOUND' })
  @ApiResponse({ status: 422, description: 'DECRYPTION_FAILED, INVALID_CMS' })
  async decrypt(@Ctx() ctx: RequestContext, @Param('alias') alias: string, @Body() body: DecryptRequestDto) {
    const result = await this.operations.decrypt(aliasRef(ctx, alias, body.tenant), Buffer.from(body.enveloped, 'base64'));
    return { data: { content: result.content.toString('base64'), key_id: result.keyId, cipher: result.cipher } };
  }
}
