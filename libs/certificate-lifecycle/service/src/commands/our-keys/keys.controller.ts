import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CertificateLifecycleStreams, keyNotFound, signingKeyOf } from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, EVENT_STORE, type Clock, type EventStore } from '@as2-partners/kernel';
import { Ctx, PageQueryDto, paginationOf, ReadYourWrites, requireTenant, Roles, type RequestContext } from '@as2-partners/platform';
import { presentTimelineEvent } from '../../queries/trust-timeline/timeline-event.presenter';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KEY_CERTIFICATE_CONTENT, KEY_CSR, KEY_DELETED, KEY_PAGE, KEY_READ, KEY_WRITTEN, keyRequestBodyOf, TIMELINE_PAGE } from '../../api-conventions/certificate-lifecycle.openapi';
import { CERTIFICATE_READERS, CERTIFICATE_WRITERS } from '../../api-conventions/certificate-roles';
import { certificationRequestOf } from '../../keystore/key-material';
import { OurKeystore } from '../../keystore/our-keystore';
import { presentKey } from '../../queries/key-views/key.presenter';
import { KeyQueries } from '../../queries/key-views/key-queries';
import type { KeyViewDocument } from '../../queries/key-views/key-view.document';
import { KnownInstancesConsumer } from '../../reactions/as2-instances/known-instances.consumer';
import { CreateKeyHandler } from './create-key.handler';
import { DeleteKeyHandler } from './delete-key.handler';
import { readKeyRequestForm } from './key-request.form';
import { CertificateRequestDto, KeyListQueryDto } from './our-keys.dto';

const DER_TYPES = ['application/pkix-cert', 'application/x-x509-ca-cert', 'application/x-x509-user-cert', 'application/octet-stream'];

/** Our private keys (tenant-scoped keystore): create (generate or import), read, certificate, CSR, rollover, delete. */
@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/keys')
export class KeysController {
  constructor(
    private readonly creation: CreateKeyHandler,
    private readonly deletion: DeleteKeyHandler,
    private readonly keystore: OurKeystore,
    private readonly instances: KnownInstancesConsumer,
    @Inject(KeyQueries) private readonly queries: KeyQueries,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  private async present(doc: KeyViewDocument) {
    return presentKey(doc, await this.instances.usingAlias(doc.account, doc.tenant, doc.alias), this.clock.now());
  }

  private async visible(ctx: RequestContext, id: string): Promise<KeyViewDocument> {
    const doc = await this.queries.findVisible(ctx.caller.account, requireTenant(ctx), id);
    if (!doc) throw keyNotFound(id);
    return doc;
  }

  @Post()
  @ReadYourWrites()
  @HttpCode(201)
  @Roles(...CERTIFICATE_WRITERS)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiOperation({
    requestBody: keyRequestBodyOf('create'),
    summary: 'Create one of our keys: {alias, generate: {algorithm: RSA, key_size: 2048|3072|4096, subject, valid_days}} | {alias, pkcs12 (base64 or file), password} | {alias, private_key (PEM), certificate (PEM chain), password?}',
  })
  @ApiResponse({ status: 201, description: 'Created', schema: KEY_WRITTEN })
  @ApiResponse({ status: 422, description: 'DUPLICATE_KEY_ALIAS, INVALID_KEY_ALIAS, INVALID_PKCS12, WRONG_PASSWORD, INVALID_PRIVATE_KEY, KEY_CERTIFICATE_MISMATCH, UNSUPPORTED_KEY, KEY_FILE_TOO_LARGE, INVALID_SUBJECT, INVALID_CERTIFICATE, VALIDATION_ERROR' })
  async create(@Ctx() ctx: RequestContext, @Req() request: FastifyRequest) {
    const form = await readKeyRequestForm(request, 'create');
    return (await this.creation.create(ctx, form)).map(async (doc) => ({ message: 'Key created successfully', data: await this.present(doc) }));
  }

  @Get()
  @Roles(...CERTIFICATE_READERS)
  @ApiOperation({ summary: 'List our keys (alias, status, certificate facts; never key material)' })
  @ApiResponse({ status: 200, description: 'OK', schema: KEY_PAGE })
  async list(@Ctx() ctx: RequestContext, @Query() query: KeyListQueryDto) {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const result = await this.queries.list({ account: ctx.caller.account, tenant: requireTenant(ctx), alias: query.alias, page, perPage });
    return { data: await Promise.all(result.items.map((doc) => this.present(doc))), pagination: paginationOf(page, perPage, result.total, result.items.length) };
  }

  @Get(':id')
  @Roles(...CERTIFICATE_READERS)
  @ApiOperation({ summary: 'One of our keys' })
  @ApiResponse({ status: 200, description: 'OK', schema: KEY_READ })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return { data: await this.present(await this.visible(ctx, id)) };
  }

  @Get(':id/events')
  @Roles(...CERTIFICATE_READERS)
  @ApiOperation({ summary: "The timeline of the key's alias from the audit trail, newest first: keys created, rollover scheduled and activated, expiry notices, deletions" })
  @ApiResponse({ status: 200, description: 'OK', schema: TIMELINE_PAGE })
  async events(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: PageQueryDto) {
    const doc = await this.visible(ctx, id);
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const stream = CertificateLifecycleStreams.keyAlias(doc.account, doc.tenant, doc.alias);
    const newest = await this.store.readStream(stream, { direction: 'backwards', maxCount: page * perPage });
    const total = newest.length > 0 ? newest[0].revision + 1 : 0;
    const events = newest.slice((page - 1) * perPage);
    return { data: events.map(presentTimelineEvent), pagination: paginationOf(page, perPage, total, events.length) };
  }

  @Get(':id/certificate')
  @Roles(...CERTIFICATE_READERS)
  @ApiResponse({ status: 200, description: 'The certificate file (Content-Disposition: attachment)', content: KEY_CERTIFICATE_CONTENT })
  @ApiOperation({ summary: 'The key\'s public certificate for partners: PEM (with its chain) by default, DER for Accept: application/pkix-cert' })
  async certificate(@Ctx() ctx: RequestContext, @Param('id') id: string, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const doc = await this.visible(ctx, id);
    const c = doc.certificate;
    const wantsDer = DER_TYPES.some((type) => (accept ?? '').toLowerCase().includes(type));
    const fileName = `${doc.alias}.${wantsDer ? 'cer' : 'pem'}`;
    reply.header('content-disposition', `attachment; filename="${fileName}"`);
    if (wantsDer) {
      reply.header('content-type', 'application/pkix-cert');
      return Buffer.from(c.pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    }
    reply.header('content-type', 'application/x-pem-file');
    return [c.pem, ...c.chain.map((member) => member.pem)].join('');
  }

  @Post(':id/csr')
  @HttpCode(200)
  @Roles(...CERTIFICATE_WRITERS)
  @ApiResponse({ status: 200, description: 'OK', content: { 'application/json': { schema: KEY_CSR }, 'application/pkcs10': { schema: { type: 'string', description: 'PKCS#10, PEM' } } } })
  @ApiOperation({ summary: 'A PKCS#10 certificate request signed by the key (for a CA); PEM text for Accept: application/pkcs10' })
  @ApiBody({ type: CertificateRequestDto, required: false, description: 'Optional: without a body (or a subject) the request carries the subject of the key\'s certificate' })
  async csr(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: CertificateRequestDto, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const doc = await this.visible(ctx, id);
    const state = await this.keystore.state({ account: doc.account, tenant: doc.tenant, alias: doc.alias });
    const entry = state.keys.find((key) => key.keyId === id) ?? null;
    if (!entry) throw keyNotFound(id);
    const key = await this.keystore.unseal(entry);
    const subject = body?.subject;
    const csr = certificationRequestOf(key.keyPair.privateKey, subject ? { text: subject } : { certificatePem: entry.certificate.pem });
    if ((accept ?? '').toLowerCase().includes('application/pkcs10')) {
      reply.header('content-type', 'application/pkcs10');
      return csr;
    }
    return { data: { key_id: id, alias: doc.alias, subject: subject ?? entry.certificate.subject, csr, current: signingKeyOf(state)?.keyId === id } };
  }

  @Post(':id/rollover')
  @ReadYourWrites()
  @HttpCode(201)
  @Roles(...CERTIFICATE_WRITERS)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiOperation({
    requestBody: keyRequestBodyOf('rollover'),
    summary: 'Schedule the alias\'s next key (generated or imported, same body as POST /v1/keys without alias) with activate_at and overlap_until: at activate_at it becomes current, once; the old key decrypts until overlap_until',
  })
  @ApiResponse({ status: 201, description: 'Created', schema: KEY_WRITTEN })
  @ApiResponse({ status: 409, description: 'KEY_NOT_CURRENT, KEY_ROLLOVER_ALREADY_SCHEDULED' })
  @ApiResponse({ status: 422, description: 'ROLLOVER_WINDOW_INVALID, CERTIFICATE_NOT_VALID_FOR_WINDOW, and the key-creation codes' })
  async rollover(@Ctx() ctx: RequestContext, @Param('id') id: string, @Req() request: FastifyRequest) {
    requireTenant(ctx);
    const form = await readKeyRequestForm(request, 'rollover');
    return (await this.creation.rollover(ctx, id, form)).map(async (doc) => ({ message: 'Key rollover scheduled', data: await this.present(doc) }));
  }

  @Delete(':id')
  @ReadYourWrites()
  @Roles(...CERTIFICATE_WRITERS)
  @ApiOperation({ summary: 'Delete one of our keys' })
  @ApiResponse({ status: 200, description: 'OK', schema: KEY_DELETED })
  @ApiResponse({ status: 409, description: 'KEY_IN_USE (details.used_by: the AS2 instances of the alias), KEY_ROLLOVER_PENDING' })
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return (await this.deletion.execute(ctx, id)).map(() => ({ message: 'Key deleted successfully' }));
  }
}
