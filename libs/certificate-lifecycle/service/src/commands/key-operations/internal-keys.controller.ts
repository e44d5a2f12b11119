import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@as2-partners/kernel';
import { AnswersNotKept, Ctx, DELETED_TENANTS, Roles, tenantDeletedError, ValidationFailedException, type DeletedTenants, type RequestContext } from '@as2-partners/platform';
import { KEY_DECRYPTED, KEY_SIGNED } from '../../api-conventions/certificate-lifecycle.openapi';
import { OurKeyOperations, type KeyAliasRef } from '../../keystore/our-key-operations';
import { DecryptRequestDto, SignRequestDto } from './key-operations.dto';

/** Lower-case hex without colons, as the other key routes print fingerprints. */
const hexFingerprint = (fingerprint: string) => fingerprint.replace(/:/g, '').toLowerCase();

/**
 * The keystore a call uses: the token's tenant (or, for a gateway token without one, the body's) in the token's account
 * (or, for a gateway token for every account, `*`, the body's); `tenant: null` the account's own keystore, for an
 * account-level AS2 instance, which every tenant of the account inherits: a token with a tenant claim may name it too,
 * so a tenant's gateway signs and decrypts as the inherited instances it exchanges through. Never another account's or
 * another tenant's keys.
 */
function aliasRef(ctx: RequestContext, alias: string, body: { tenant?: string | null; account?: string }): KeyAliasRef {
  const own = ctx.caller.tenant;
  if (own !== null && body.tenant !== undefined && body.tenant !== null && body.tenant !== own) throw new DomainError('TENANT_FORBIDDEN', 'The token is for another tenant');
  const tenant = body.tenant === null ? null : (own ?? body.tenant);
  if (tenant === undefined) throw new DomainError('TENANT_REQUIRED', 'Name the tenant whose key signs or decrypts (field tenant), or use a token with a tenant claim');
  const allAccounts = ctx.caller.account === '*';
  if (!allAccounts && body.account !== undefined && body.account !== ctx.caller.account) throw new DomainError('ACCOUNT_FORBIDDEN', 'The token is for another account');
  // `*` names no account: it is what a token for every account says.
  const account = allAccounts ? body.account : ctx.caller.account;
  if (account === undefined || account === '*') throw new DomainError('ACCOUNT_REQUIRED', 'Name the account whose key signs or decrypts (field account): the token is for every account');
  return { account, tenant, alias };
}

/** The one field of `fields` the body gives; a JSON null counts as left out, as @IsOptional lets it through unchecked. */
function exactlyOne(body: object, fields: readonly string[]): string {
  const values = body as Record<string, unknown>;
  const given = fields.filter((f) => values[f] !== undefined && values[f] !== null);
  if (given.length !== 1) throw new ValidationFailedException({ [fields[0]]: [`Give exactly one of ${fields.join(' or ')}`] });
  return given[0];
}

/** The 403s of a key operation for the account and tenant its body names (OpenAPI). */
const KEY_SCOPE_FORBIDDEN =
  "ACCOUNT_REQUIRED: a gateway token of every account names no account; ACCOUNT_FORBIDDEN, TENANT_FORBIDDEN: another account or tenant than the token's; TENANT_DELETED: the tenant named was deleted";

/**
 * The keystore port over HTTP, for services in other processes (distributed mode): sign and decrypt as one of our
 * AS2 identities, by alias, without the key ever leaving this service. Role `gateway` only: not a user route.
 * `signed_attributes` and `key_transport` are libs/as2's external signer/decryptor hook (RemoteKeystore).
 */
@ApiTags('internal')
@ApiBearerAuth()
@Controller('internal/v1/keys')
export class InternalKeysController {
  constructor(
    private readonly operations: OurKeyOperations,
    @Inject(DELETED_TENANTS) private readonly deletedTenants: DeletedTenants,
  ) {}

  /**
   * The keystore the call names (aliasRef), refused 403 TENANT_DELETED for a deleted tenant named in the body by a
   * gateway token without a tenant claim (a token with the claim was refused on arrival): nothing signs or decrypts as
   * a tenant that no longer exists, not even with the account's keys it fell back on.
   */
  private async keystoreOf(ctx: RequestContext, alias: string, body: { tenant?: string | null; account?: string }): Promise<KeyAliasRef> {
    const ref = aliasRef(ctx, alias, body);
    if (ref.tenant !== null && (await this.deletedTenants.isDeleted(ref.account, ref.tenant))) throw tenantDeletedError(ref.tenant);
    return ref;
  }

  @Post(':alias/sign')
  @AnswersNotKept()
  @HttpCode(200)
  @Roles('gateway')
  @ApiOperation({ summary: 'With content: a detached CMS SignedData (DER, base64). With signed_attributes: the RSA PKCS#1 v1.5 signature value and the certificate' })
  @ApiResponse({ status: 200, description: 'OK', schema: KEY_SIGNED })
  @ApiResponse({ status: 403, description: KEY_SCOPE_FORBIDDEN })
  @ApiResponse({ status: 404, description: 'KEY_NOT_FOUND' })
  @ApiResponse({ status: 422, description: 'INVALID_SIGNED_ATTRIBUTES, validation' })
  async sign(@Ctx() ctx: RequestContext, @Param('alias') alias: string, @Body() body: SignRequestDto) {
    const mode = exactlyOne(body, ['content', 'signed_attributes']);
    const ref = await this.keystoreOf(ctx, alias, body);
    const algorithm = body.algorithm ?? 'sha256';
    if (mode === 'signed_attributes') {
      const result = await this.operations.signAttributes(ref, Buffer.from(body.signed_attributes as string, 'base64'), algorithm);
      return {
        data: {
          signature_value: result.signature.toString('base64'),
          certificates: [result.certificate, ...result.chain].map((certificate) => certificate.der.toString('base64')),
          key_id: result.keyId,
          certificate_fingerprint_sha256: hexFingerprint(result.certificate.fingerprint),
        },
      };
    }
    const result = await this.operations.sign(ref, Buffer.from(body.content as string, 'base64'), algorithm);
    return {
      data: { signature: result.signature.toString('base64'), key_id: result.keyId, certificate_fingerprint_sha256: result.certificateFingerprintSha256 },
    };
  }

  @Post(':alias/decrypt')
  // Its answer is the plaintext (or a content key): never stored, not even for a retry.
  @AnswersNotKept()
  @HttpCode(200)
  @Roles('gateway')
  @ApiOperation({ summary: 'With enveloped: opens a CMS EnvelopedData addressed to the alias (current key, or the previous one during its overlap). With key_transport: unwraps the content-encryption key' })
  @ApiResponse({ status: 200, description: 'OK', schema: KEY_DECRYPTED })
  @ApiResponse({ status: 403, description: KEY_SCOPE_FORBIDDEN })
  @ApiResponse({ status: 404, description: 'KEY_NOT_FOUND' })
  @ApiResponse({ status: 422, description: 'DECRYPTION_FAILED, INVALID_CMS, validation' })
  async decrypt(@Ctx() ctx: RequestContext, @Param('alias') alias: string, @Body() body: DecryptRequestDto) {
    const mode = exactlyOne(body, ['enveloped', 'key_transport']);
    const ref = await this.keystoreOf(ctx, alias, body);
    const transport = body.key_transport;
    if (mode === 'key_transport' && transport) {
      const recipients = transport.recipients.map((r) => ({ recipientIdentifier: Buffer.from(r.recipient_identifier, 'base64'), encryptedKey: Buffer.from(r.encrypted_key, 'base64') }));
      const result = await this.operations.unwrapContentKey(ref, recipients, transport.key_length);
      return {
        data: {
          candidates: result.candidates.map((c) => ({ key: c.key.toString('base64'), key_id: c.keyId, certificate_fingerprint_sha256: hexFingerprint(c.certificate.fingerprint) })),
          matched: result.matched,
          certificates: result.certificates.map((c) => c.der.toString('base64')),
        },
      };
    }
    const result = await this.operations.decrypt(ref, Buffer.from(body.enveloped as string, 'base64'));
    return { data: { content: result.content.toString('base64'), key_id: result.keyId, cipher: result.cipher } };
  }
}
