import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { partnerNotFound } from '@as2-partners/partner-registry-domain';
import { Ctx, type RequestContext, requireTenant, Roles } from '@as2-partners/platform';
import { presentPartnerDetails } from './partner.presenter';
import { TENANT_READERS } from '../../api-conventions/partner-roles';
import { presentPartnerCertificate } from '../partner-certificates/partner-certificate.presenter';
import { certificateOwnerOf, PartnerCertificatesQuery } from '../partner-certificates/partner-certificates.query';
import { ConnectionStatusConsumer } from '../../reactions/connection-tester-events/connection-status.consumer';
import { PartnerQueries } from './partner-queries';

@ApiTags('partners')
@ApiBearerAuth()
@Controller('v1/partners')
export class GetPartnerController {
  constructor(
    @Inject(PartnerQueries) private readonly queries: PartnerQueries,
    @Inject(PartnerCertificatesQuery) private readonly certificates: PartnerCertificatesQuery,
    private readonly connectionStatus: ConnectionStatusConsumer,
  ) {}

  @Get(':id')
  @Roles(...TENANT_READERS)
  @ApiOperation({ summary: 'A partner with certificates, message statistics and connection status' })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    const tenant = requireTenant(ctx);
    const partner = await this.queries.findForTenant(ctx.caller.account, tenant, id);
    if (!partner) throw partnerNotFound(id);
    const certificates = await this.certificates.certificatesOf(certificateOwnerOf(partner));
    const status = await this.connectionStatus.presentedFor(partner.partnerId, tenant);
    return { data: presentPartnerDetails(partner, partner.type, certificates.map(presentPartnerCertificate), status) };
  }
}
