import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { partnerNotFound } from '@as2-partners/partner-registry-domain';
import { Ctx, type RequestContext, requireTenant, Roles } from '@as2-partners/platform';
import { presentPartnerDetails } from './partner.presenter';
import { TENANT_READERS } from '../../api-conventions/partner-roles';
import { presentPartnerCertificate } from '../partner-certificates/partner-certificate.presenter';
import { certificateOwnerOf, PartnerCertificatesQuery } from '../partner-certificates/partner-certificates.query';
import { MessageStatsQuery } from '../message-stats/message-stats.query';
import { ConnectionStatusConsumer } from '../../reactions/connection-tester-events/connection-status.consumer';
import { PartnerQueries } from './partner-queries';
import { PARTNER_DETAILS } from '../../api-conventions/partner-registry.openapi';
import { PartnerTrafficConsumer } from '../../reactions/traffic-control-events/partner-traffic.consumer';

@ApiTags('partners')
@ApiBearerAuth()
@Controller('v1/partners')
export class GetPartnerController {
  constructor(
    @Inject(PartnerQueries) private readonly queries: PartnerQueries,
    @Inject(PartnerCertificatesQuery) private readonly certificates: PartnerCertificatesQuery,
    @Inject(MessageStatsQuery) private readonly stats: MessageStatsQuery,
    private readonly traffic: PartnerTrafficConsumer,
    private readonly connectionStatus: ConnectionStatusConsumer,
  ) {}

  @Get(':id')
  @Roles(...TENANT_READERS)
  @ApiOperation({ summary: 'A partner with certificates, message statistics and connection status' })
  @ApiResponse({ status: 200, description: "The partner with its certificates", schema: PARTNER_DETAILS })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    const tenant = requireTenant(ctx);
    const partner = await this.queries.findForTenant(ctx.caller.account, tenant, id);
    if (!partner) throw partnerNotFound(id);
    const owner = certificateOwnerOf(partner);
    const certificates = await this.certificates.certificatesOf(owner);
    const certificateLink = await this.certificates.certificateLinkOf(owner, partner.certificateId, certificates);
    const stats = await this.stats.statsOf(ctx.caller.account, requireTenant(ctx), partner.as2Id);
    const traffic = await this.traffic.trafficOf(ctx.caller.account, requireTenant(ctx), partner.partnerId);
    const status = await this.connectionStatus.presentedFor(partner.partnerId, requireTenant(ctx));
    return { data: { ...presentPartnerDetails(partner, partner.type, certificates.map(presentPartnerCertificate), stats, status), certificate_link: certificateLink, traffic } };
  }
}
