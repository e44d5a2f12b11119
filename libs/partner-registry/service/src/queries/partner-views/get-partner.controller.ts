import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { partnerNotFound } from '@as2-partners/partner-registry-domain';
import { Ctx, type RequestContext, requireTenant, Roles, RequiresTenant } from '@as2-partners/platform';
import { TENANT_READERS } from '../../api-conventions/partner-roles';
import { PARTNER_DETAILS } from '../../api-conventions/partner-registry.openapi';
import { PartnerDetailsQuery } from './partner-details.query';

@ApiTags('partners')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/partners')
export class GetPartnerController {
  constructor(@Inject(PartnerDetailsQuery) private readonly details: PartnerDetailsQuery) {}

  @Get(':id')
  @Roles(...TENANT_READERS)
  @ApiOperation({ summary: 'A partner with certificates, message statistics and connection status' })
  @ApiResponse({ status: 200, description: "The partner with its certificates", schema: PARTNER_DETAILS })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    // The hot path (get-partner.route.ts) answers most requests the same way; this one takes the rest (first sight of a token, CORS).
    const details = await this.details.detailsFor(ctx.caller.account, requireTenant(ctx), id);
    if (!details) throw partnerNotFound(id);
    return details;
  }
}
