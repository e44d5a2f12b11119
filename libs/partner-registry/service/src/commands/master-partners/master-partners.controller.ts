import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { Ctx, ReadYourWrites, type RequestContext, requireOwnAccount, Roles } from '@as2-partners/platform';
import { toApiTimestamp } from '../../api-conventions/api-timestamp';
import { MasterPartnerListQueryDto } from '../../api-conventions/list-query.dto';
import { listsNoMaster } from '../../queries/partner-views/partner-list-request';
import { paginationOf } from '../../api-conventions/pagination';
import { CreatePartnerDto } from '../../partner-settings/partner-settings.dto';
import { presentPartner, presentPartnerDetails } from '../../queries/partner-views/partner.presenter';
import { presentPartnerCertificate } from '../../queries/partner-certificates/partner-certificate.presenter';
import { PartnerCertificatesQuery } from '../../queries/partner-certificates/partner-certificates.query';
import { PartnerQueries } from '../../queries/partner-views/partner-queries';
import { UpdatePartnerDto } from '../update-partner/update-partner.dto';
import { MasterPartnersHandler } from './master-partners.handler';
import { PartnerTrafficConsumer } from '../../reactions/traffic-control-events/partner-traffic.consumer';
import { DELETED, PARTNER_DETAILS, PARTNER_PAGE, PARTNER_WRITTEN } from '../../api-conventions/partner-registry.openapi';

@ApiTags('master partners')
@ApiBearerAuth()
@Roles('account_admin')
@Controller('v1/accounts/:account/partners')
export class MasterPartnersController {
  constructor(
    private readonly handler: MasterPartnersHandler,
    @Inject(PartnerQueries) private readonly queries: PartnerQueries,
    @Inject(PartnerCertificatesQuery) private readonly certificates: PartnerCertificatesQuery,
    private readonly traffic: PartnerTrafficConsumer,
  ) {}

  @Get()
  @ApiOperation({ summary: "The account's master partners" })
  @ApiResponse({ status: 200, description: "The master partners, a page", schema: PARTNER_PAGE })
  async list(@Ctx() ctx: RequestContext, @Param('account') account: string, @Query() query: MasterPartnerListQueryDto) {
    requireOwnAccount(ctx, account);
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const result =
      listsNoMaster(query.type, query.station_id)
        ? { items: [], total: 0 }
        : await this.queries.listPartners({ account, tenant: null, search: query.search, active: query.active, page, perPage });
    return {
      data: result.items.map((doc) => presentPartner(doc, 'master')),
      pagination: paginationOf(page, perPage, result.total, result.items.length),
    };
  }

  @Post()
  @ReadYourWrites()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a master partner; every tenant of the account sees it as inherited' })
  @ApiResponse({ status: 201, description: "Master partner created", schema: PARTNER_WRITTEN })
  async create(@Ctx() ctx: RequestContext, @Param('account') account: string, @Body() body: CreatePartnerDto) {
    return (await this.handler.create(ctx, requireOwnAccount(ctx, account), body)).map((partner) => ({
      message: 'Master partner created successfully',
      data: presentPartner(partner, 'master'),
    }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A master partner with its certificates' })
  @ApiResponse({ status: 200, description: "The master partner with its certificates", schema: PARTNER_DETAILS })
  async get(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string) {
    const partner = await this.handler.get(requireOwnAccount(ctx, account), id);
    const owner = { account: partner.account, tenant: null, partnerId: partner.partnerId };
    const certificates = await this.certificates.certificatesOf(owner);
    const { override_settings: _o, ...data } = presentPartnerDetails(partner, 'master', certificates.map(presentPartnerCertificate)) as ReturnType<typeof presentPartnerDetails> & {
      override_settings?: unknown;
    };
    const traffic = await this.traffic.trafficOf(partner.account, null, partner.partnerId);
    return { data: { ...data, certificate_link: await this.certificates.certificateLinkOf(owner, partner.certificateId, certificates), traffic } };
  }

  @Patch(':id')
  @ReadYourWrites()
  @ApiOperation({ summary: 'Update a master partner; tenants see the change wherever they have no override' })
  @ApiResponse({ status: 200, description: "Master partner updated", schema: PARTNER_WRITTEN })
  async update(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string, @Body() body: UpdatePartnerDto) {
    return (await this.handler.update(ctx, requireOwnAccount(ctx, account), id, body)).map((partner) => ({
      message: 'Master partner updated successfully',
      data: presentPartner(partner, 'master'),
    }));
  }

  @Delete(':id')
  @ReadYourWrites()
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a master partner; it leaves every tenant' })
  @ApiResponse({ status: 200, description: "Master partner deleted", schema: DELETED })
  async delete(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string) {
    return (await this.handler.delete(ctx, requireOwnAccount(ctx, account), id)).map((deletedAt) => ({
      message: 'Master partner deleted successfully',
      data: { id, deleted_at: toApiTimestamp(deletedAt) },
    }));
  }
}
