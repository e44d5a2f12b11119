import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx, PageQueryDto, paginationOf, ReadYourWrites, type RequestContext, requireOwnAccount, Roles } from '@as2-partners/platform';
import type { FastifyRequest } from 'fastify';
import { CERTIFICATE_READERS, CERTIFICATE_WRITERS } from '../../api-conventions/certificate-roles';
import { partnerIdsOf, presentCertificate, presentCertificateUpload } from '../../queries/certificate-views/certificate.presenter';
import { PartnerAccess } from '../../partner-access/partner-access';
import { CertificateQueries } from '../../queries/certificate-views/certificate-queries';
import { readCertificateUploadForm } from './certificate-upload.form';
import { UploadCertificateHandler } from './upload-certificate.handler';
import { CERTIFICATE_PAGE, CERTIFICATE_UPLOADED, CERTIFICATE_UPLOAD_REQUEST_BODY } from '../../api-conventions/certificate-lifecycle.openapi';

@ApiTags('certificates')
@ApiBearerAuth()
@Controller()
export class PartnerCertificatesController {
  constructor(
    @Inject(CertificateQueries) private readonly queries: CertificateQueries,
    private readonly access: PartnerAccess,
    private readonly upload: UploadCertificateHandler,
  ) {}

  @Post('v1/partners/:id/certificates')
  @ReadYourWrites()
  @HttpCode(201)
  @Roles(...CERTIFICATE_WRITERS)
  @ApiOperation({ requestBody: CERTIFICATE_UPLOAD_REQUEST_BODY, summary: "Upload a partner certificate (name, usage, certificate file); it fills an empty slot its usage fits" })
  @ApiResponse({ status: 402, description: "CERTIFICATE_LIMIT_EXCEEDED: the tenant's plan stores no more certificates" })
  @ApiResponse({ status: 403, description: "FORBIDDEN, TENANT_REQUIRED, TENANT_DELETED; INHERITED_PARTNER_READ_ONLY: a master partner's certificates are the account admin's" })
  @ApiResponse({ status: 404, description: 'PARTNER_NOT_FOUND' })
  @ApiResponse({
    status: 422,
    description:
      'INVALID_CERTIFICATE, PRIVATE_KEY_NOT_ALLOWED, CERTIFICATE_KEY_TOO_SMALL, CERTIFICATE_USAGE_MISMATCH, CERTIFICATE_WEAK_SIGNATURE, CERTIFICATE_WEAK_PUBLIC_EXPONENT, CERTIFICATE_UNSUPPORTED_CRITICAL_EXTENSION, CERTIFICATE_VALIDITY_OUT_OF_RANGE, …',
  })
  @ApiResponse({ status: 201, description: "Certificate uploaded", schema: CERTIFICATE_UPLOADED })
  async uploadForPartner(@Ctx() ctx: RequestContext, @Param('id') partnerId: string, @Req() request: FastifyRequest) {
    const form = await readCertificateUploadForm(request);
    return (await this.upload.execute(ctx, form, { kind: 'partner', partnerId })).map(async (upload) => {
      const [certificate] = await this.queries.withUses(ctx.caller.tenant, [upload.certificate]);
      return presentCertificateUpload({ ...upload, certificate }, await this.access.visibility(ctx, partnerIdsOf([certificate])));
    });
  }

  @Get('v1/partners/:id/certificates')
  @Roles(...CERTIFICATE_READERS)
  @ApiResponse({ status: 200, description: "The partner's certificates, a page", schema: CERTIFICATE_PAGE })
  async listForPartner(@Ctx() ctx: RequestContext, @Param('id') partnerId: string, @Query() query: PageQueryDto) {
    const partner = await this.access.resolve(ctx, partnerId, 'read');
    return this.page(ctx, partner.account, partnerId, query);
  }

  @Post('v1/accounts/:account/partners/:id/certificates')
  @ReadYourWrites()
  @HttpCode(201)
  @Roles('account_admin')
  @ApiOperation({ requestBody: CERTIFICATE_UPLOAD_REQUEST_BODY, summary: "Upload an account-level certificate for a master partner, shared by the account's tenants" })
  @ApiResponse({ status: 201, description: "Certificate uploaded", schema: CERTIFICATE_UPLOADED })
  async uploadForMaster(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') partnerId: string, @Req() request: FastifyRequest) {
    requireOwnAccount(ctx, account);
    const form = await readCertificateUploadForm(request);
    return (await this.upload.execute(ctx, form, { kind: 'partner', partnerId })).map(async (upload) => {
      const [certificate] = await this.queries.withUses(ctx.caller.tenant, [upload.certificate]);
      return presentCertificateUpload({ ...upload, certificate }, await this.access.visibility(ctx, partnerIdsOf([certificate])));
    });
  }

  @Get('v1/accounts/:account/partners/:id/certificates')
  @Roles('account_admin')
  @ApiResponse({ status: 200, description: "The master partner's certificates, a page", schema: CERTIFICATE_PAGE })
  async listForMaster(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') partnerId: string, @Query() query: PageQueryDto) {
    requireOwnAccount(ctx, account);
    const partner = await this.access.resolve(ctx, partnerId, 'read');
    return this.page(ctx, partner.account, partnerId, query);
  }

  private async page(ctx: RequestContext, account: string, partnerId: string, query: PageQueryDto) {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const result = await this.queries.list({ account, tenant: ctx.caller.tenant, partnerId, page, perPage });
    const items = await this.queries.withUses(ctx.caller.tenant, result.items);
    const sees = await this.access.visibility(ctx, partnerIdsOf(items));
    return { data: items.map((doc) => presentCertificate(doc, sees)), pagination: paginationOf(page, perPage, result.total, result.items.length) };
  }
}

