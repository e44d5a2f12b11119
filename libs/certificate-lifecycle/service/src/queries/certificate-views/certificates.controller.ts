import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { certificateNotFound } from '@as2-partners/certificate-lifecycle-domain';
import { Ctx, exclusiveMillisecondBoundText, paginationOf, ReadYourWrites, Roles, toApiTimestamp, type RequestContext } from '@as2-partners/platform';
import type { FastifyRequest } from 'fastify';
import { CERTIFICATE_READERS, CERTIFICATE_WRITERS } from '../../api-conventions/certificate-roles';
import { partnerIdsOf, presentCertificate, presentCertificateUpload, presentUses } from './certificate.presenter';
import { PartnerAccess } from '../../partner-access/partner-access';
import { CertificateQueries } from './certificate-queries';
import { readCertificateUploadForm } from '../../commands/upload-certificate/certificate-upload.form';
import { UploadCertificateHandler } from '../../commands/upload-certificate/upload-certificate.handler';
import { CertificateListQueryDto } from './certificate-list.query.dto';
import { DeleteCertificateHandler } from '../../commands/delete-certificate/delete-certificate.handler';
import { CERTIFICATE_DELETED, CERTIFICATE_PAGE, CERTIFICATE_READ, CERTIFICATE_UPLOADED, CERTIFICATE_USAGE, CERTIFICATE_UPLOAD_REQUEST_BODY } from '../../api-conventions/certificate-lifecycle.openapi';

@ApiTags('certificates')
@ApiBearerAuth()
@Controller('v1/certificates')
export class CertificatesController {
  constructor(
    @Inject(CertificateQueries) private readonly queries: CertificateQueries,
    private readonly upload: UploadCertificateHandler,
    private readonly deletion: DeleteCertificateHandler,
    private readonly access: PartnerAccess,
  ) {}

  @Post()
  @ReadYourWrites()
  @HttpCode(201)
  @Roles(...CERTIFICATE_WRITERS)
  @ApiOperation({ requestBody: CERTIFICATE_UPLOAD_REQUEST_BODY, summary: 'Upload a certificate to the store (fields name, usage, type, certificate file: PEM, DER or PEM bundle)' })
  @ApiResponse({ status: 402, description: 'CERTIFICATE_LIMIT_EXCEEDED' })
  @ApiResponse({ status: 422, description: 'INVALID_CERTIFICATE, PRIVATE_KEY_NOT_ALLOWED, CERTIFICATE_TRAILING_DATA, CERTIFICATE_TOO_LARGE, …' })
  @ApiResponse({ status: 201, description: "Certificate uploaded", schema: CERTIFICATE_UPLOADED })
  async create(@Ctx() ctx: RequestContext, @Req() request: FastifyRequest) {
    const form = await readCertificateUploadForm(request);
    return (await this.upload.execute(ctx, form, { kind: 'store', tenant: ctx.caller.tenant })).map(async (upload) => {
      const [certificate] = await this.queries.withUses(ctx.caller.tenant, [upload.certificate]);
      return presentCertificateUpload({ ...upload, certificate }, await this.access.visibility(ctx, partnerIdsOf([certificate])));
    });
  }

  @Get()
  @Roles(...CERTIFICATE_READERS)
  @ApiOperation({ summary: 'List certificates (filter by usage, partner, expiring-before)' })
  @ApiResponse({ status: 200, description: "Certificates, a page", schema: CERTIFICATE_PAGE })
  async list(@Ctx() ctx: RequestContext, @Query() query: CertificateListQueryDto) {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    // Another tenant's partner filters like an unknown one: which shared certificates it uses is not the caller's to learn.
    if (query.partner_id && !(await this.access.visibility(ctx, [query.partner_id]))(query.partner_id)) {
      return { data: [], pagination: paginationOf(page, perPage, 0, 0) };
    }
    const result = await this.queries.list({
      account: ctx.caller.account,
      tenant: ctx.caller.tenant,
      usage: query.usage,
      partnerId: query.partner_id,
      expiringBefore: query.expiring_before ? exclusiveMillisecondBoundText(query.expiring_before) : undefined,
      active: query.active,
      page,
      perPage,
    });
    const items = await this.queries.withUses(ctx.caller.tenant, result.items);
    const sees = await this.access.visibility(ctx, partnerIdsOf(items));
    return { data: items.map((doc) => presentCertificate(doc, sees)), pagination: paginationOf(page, perPage, result.total, result.items.length) };
  }

  @Get(':id')
  @Roles(...CERTIFICATE_READERS)
  @ApiResponse({ status: 200, description: "The certificate", schema: CERTIFICATE_READ })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    const doc = await this.queries.findVisible(ctx.caller.account, ctx.caller.tenant, id);
    if (!doc) throw certificateNotFound(id);
    const [used] = await this.queries.withUses(ctx.caller.tenant, [doc]);
    return { data: presentCertificate(used, await this.access.visibility(ctx, partnerIdsOf([used]))) };
  }

  @Get(':id/usage')
  @Roles(...CERTIFICATE_READERS)
  @ApiOperation({ summary: 'Every partner and slot this certificate touches (impact preview before an activation)' })
  @ApiResponse({ status: 200, description: "Where the certificate is used", schema: CERTIFICATE_USAGE })
  async usage(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    const doc = await this.queries.findVisible(ctx.caller.account, ctx.caller.tenant, id);
    if (!doc) throw certificateNotFound(id);
    const [used] = await this.queries.withUses(ctx.caller.tenant, [doc]);
    const uses = presentUses(used, await this.access.visibility(ctx, partnerIdsOf([used])));
    // In use by any partner, those of other tenants too (not listed): the preview agrees with a deletion's 409.
    return { data: { certificate_id: doc._id, in_use: await this.queries.inUse(doc._id), ...uses } };
  }

  @Delete(':id')
  @ReadYourWrites()
  @Roles(...CERTIFICATE_WRITERS)
  @ApiResponse({ status: 403, description: 'ACCOUNT_CERTIFICATE_READ_ONLY: an account-level certificate is deleted by an account admin only' })
  @ApiResponse({ status: 409, description: 'CERTIFICATE_IN_USE, details.used_by: the uses the caller may see' })
  @ApiResponse({ status: 200, description: "Certificate deleted", schema: CERTIFICATE_DELETED })
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return (await this.deletion.execute(ctx, id)).map(({ deletedAt }) => ({ message: 'Certificate deleted successfully', data: { id, deleted_at: toApiTimestamp(deletedAt) } }));
  }
}
