import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx, PageQueryDto, ReadYourWrites, requireOwnAccount, Roles, toApiTimestamp, type RequestContext } from '@as2-partners/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KEY_CERTIFICATE_CONTENT, KEY_CSR, KEY_DELETED, KEY_PAGE, KEY_READ, KEY_WRITTEN, keyRequestBodyOf, TIMELINE_PAGE } from '../../api-conventions/certificate-lifecycle.openapi';
import type { KeystoreScope } from '../../keystore/keystore-scope';
import { CreateKeyHandler } from './create-key.handler';
import { DeleteKeyHandler } from './delete-key.handler';
import { KeyAccess } from './key-access';
import { readKeyRequestForm } from './key-request.form';
import { CertificateRequestDto, KeyListQueryDto } from './our-keys.dto';

/** The account's own keystore: an account route acts only on the caller's account. */
function accountKeystore(ctx: RequestContext, account: string): KeystoreScope {
  return { account: requireOwnAccount(ctx, account), tenant: null };
}

/**
 * The account's keystore (account admins): keys its account-level AS2 instances sign and decrypt with, and that a
 * tenant instance falls back to when its own keystore holds no key of its alias; tenants read them as `inherited`.
 */
@ApiTags('master keys')
@ApiBearerAuth()
@Roles('account_admin')
@Controller('v1/accounts/:account/keys')
export class AccountKeysController {
  constructor(
    private readonly creation: CreateKeyHandler,
    private readonly deletion: DeleteKeyHandler,
    private readonly access: KeyAccess,
  ) {}

  @Post()
  @ReadYourWrites()
  @HttpCode(201)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiOperation({
    requestBody: keyRequestBodyOf('create'),
    summary: 'Create a key in the account keystore: {alias, generate: {algorithm: RSA, key_size: 2048|3072|4096, subject, valid_days}} | {alias, pkcs12 (base64 or file), password} | {alias, private_key (PEM), certificate (PEM chain), password?}',
  })
  @ApiResponse({ status: 201, description: 'Created', schema: KEY_WRITTEN })
  @ApiResponse({ status: 422, description: 'DUPLICATE_KEY_ALIAS, INVALID_KEY_ALIAS, INVALID_PKCS12, WRONG_PASSWORD, INVALID_PRIVATE_KEY, KEY_CERTIFICATE_MISMATCH, CERTIFICATE_USAGE_MISMATCH, UNSUPPORTED_KEY, KEY_FILE_TOO_LARGE, INVALID_SUBJECT, INVALID_CERTIFICATE, CERTIFICATE_EXPIRED, CERTIFICATE_NOT_YET_VALID, VALIDATION_FAILED' })
  async create(@Ctx() ctx: RequestContext, @Param('account') account: string, @Req() request: FastifyRequest) {
    const keystore = accountKeystore(ctx, account);
    const form = await readKeyRequestForm(request, 'create');
    return (await this.creation.create(ctx, keystore, form)).map(async (doc) => ({ message: 'Account key created successfully', data: await this.access.present(doc, keystore) }));
  }

  @Get()
  @ApiOperation({ summary: "The account's keys (type master; never key material)" })
  @ApiResponse({ status: 200, description: 'OK', schema: KEY_PAGE })
  async list(@Ctx() ctx: RequestContext, @Param('account') account: string, @Query() query: KeyListQueryDto) {
    return this.access.list(accountKeystore(ctx, account), query);
  }

  @Get(':id')
  @ApiOperation({ summary: "One of the account's keys" })
  @ApiResponse({ status: 200, description: 'OK', schema: KEY_READ })
  async get(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string) {
    const keystore = accountKeystore(ctx, account);
    return { data: await this.access.present(await this.access.visible(keystore, id), keystore) };
  }

  @Get(':id/events')
  @ApiOperation({ summary: "The timeline of the key's alias from the audit trail, newest first: keys created, rollover scheduled and activated, a previous key retired at the end of its overlap, expiry notices, deletions" })
  @ApiResponse({ status: 200, description: 'OK', schema: TIMELINE_PAGE })
  async events(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string, @Query() query: PageQueryDto) {
    return this.access.timeline(await this.access.visible(accountKeystore(ctx, account), id), query);
  }

  @Get(':id/certificate')
  @ApiResponse({ status: 200, description: 'The certificate file (Content-Disposition: attachment)', content: KEY_CERTIFICATE_CONTENT })
  @ApiOperation({ summary: 'The key\'s public certificate for partners: PEM (with its chain) by default, DER for Accept: application/pkix-cert' })
  async certificate(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.access.certificateFile(await this.access.visible(accountKeystore(ctx, account), id), accept, reply);
  }

  @Post(':id/csr')
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'OK', content: { 'application/json': { schema: KEY_CSR }, 'application/pkcs10': { schema: { type: 'string', description: 'PKCS#10, PEM' } } } })
  @ApiOperation({ summary: 'A PKCS#10 certificate request signed by the key (for a CA); PEM text for Accept: application/pkcs10' })
  @ApiBody({ type: CertificateRequestDto, required: false, description: 'Optional: without a body (or a subject) the request carries the subject of the key\'s certificate' })
  async csr(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string, @Body() body: CertificateRequestDto, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.access.certificationRequest(await this.access.writable(accountKeystore(ctx, account), id), body?.subject, accept, reply);
  }

  @Post(':id/rollover')
  @ReadYourWrites()
  @HttpCode(201)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiOperation({
    requestBody: keyRequestBodyOf('rollover'),
    summary: 'Schedule the alias\'s next key (generated or imported, same body as POST /v1/keys without alias) with activate_at and overlap_until: at activate_at it becomes current, once; the old key decrypts until overlap_until',
  })
  @ApiResponse({ status: 201, description: 'Created', schema: KEY_WRITTEN })
  @ApiResponse({ status: 409, description: 'KEY_NOT_CURRENT, KEY_ROLLOVER_ALREADY_SCHEDULED, KEY_OVERLAP_NOT_CLOSED (activate_at before the previous key stops decrypting)' })
  @ApiResponse({ status: 422, description: "ROLLOVER_WINDOW_INVALID, CERTIFICATE_NOT_VALID_FOR_WINDOW, ROLLOVER_SAME_CERTIFICATE (the current key's own certificate), and the key-creation codes" })
  async rollover(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string, @Req() request: FastifyRequest) {
    const keystore = accountKeystore(ctx, account);
    const form = await readKeyRequestForm(request, 'rollover');
    return (await this.creation.rollover(ctx, keystore, id, form)).map(async (doc) => ({ message: 'Account key rollover scheduled', data: await this.access.present(doc, keystore) }));
  }

  @Delete(':id')
  @ReadYourWrites()
  @ApiOperation({ summary: "Delete one of the account's keys; refused while an account-level instance, or a tenant instance without its own key of the alias, uses it" })
  @ApiResponse({ status: 200, description: 'OK', schema: KEY_DELETED })
  @ApiResponse({ status: 409, description: 'KEY_IN_USE (details.used_by: the AS2 instances of the alias), KEY_ROLLOVER_PENDING' })
  async remove(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string) {
    return (await this.deletion.execute(ctx, accountKeystore(ctx, account), id)).map(({ deletedAt }) => ({ message: 'Account key deleted successfully', data: { id, deleted_at: toApiTimestamp(deletedAt) } }));
  }
}
