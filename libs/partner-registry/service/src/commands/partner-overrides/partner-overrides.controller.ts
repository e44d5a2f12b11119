import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { Ctx, ReadYourWrites, Roles, type RequestContext, RequiresTenant } from '@as2-partners/platform';
import { toApiTimestamp } from '../../api-conventions/api-timestamp';
import { presentOverrides, presentPartner } from '../../queries/partner-views/partner.presenter';
import { TENANT_READERS, TENANT_WRITERS } from '../../api-conventions/partner-roles';
import type { PartnerViewDocument } from '../../queries/partner-views/partner-view.document';
import { PartnerOverridesHandler } from './partner-overrides.handler';
import { OVERRIDE_STATE, PARTNER_WRITTEN } from '../../api-conventions/partner-registry.openapi';

function presentOverrideState(partner: PartnerViewDocument) {
  return {
    partner_id: partner.partnerId,
    master_partner_id: partner.masterPartnerId,
    has_overrides: partner.hasOverrides,
    override_settings: presentOverrides(partner.overrides ?? {}),
    updated_at: toApiTimestamp(partner.updatedAt),
  };
}

@ApiTags('partners')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/partners')
export class PartnerOverridesController {
  constructor(private readonly handler: PartnerOverridesHandler) {}

  @Get(':id/overrides')
  @Roles(...TENANT_READERS)
  @ApiOperation({ summary: "This tenant's overrides of an inherited partner" })
  @ApiResponse({ status: 200, description: "The inherited partner's overrides", schema: OVERRIDE_STATE })
  @ApiResponse({ status: 409, description: 'NOT_AN_INHERITED_PARTNER: a tenant partner has no overrides' })
  async show(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return { data: presentOverrideState(await this.handler.show(ctx, id)) };
  }

  @Delete(':id/overrides')
  @ReadYourWrites()
  @HttpCode(200)
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: "Reset an inherited partner to the master's configuration" })
  @ApiResponse({ status: 200, description: "Overrides reset", schema: PARTNER_WRITTEN })
  @ApiResponse({ status: 409, description: 'NOT_AN_INHERITED_PARTNER: a tenant partner has no overrides' })
  async reset(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return (await this.handler.reset(ctx, id)).map((partner) => ({
      message: 'Partner overrides reset successfully',
      data: { ...presentPartner(partner), override_settings: {} },
    }));
  }
}
