import { Body, Controller, Param, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { Ctx, ReadYourWrites, Roles, type RequestContext, RequiresTenant } from '@as2-partners/platform';
import { presentPartner, presentPartnerDetails } from '../../queries/partner-views/partner.presenter';
import { TENANT_WRITERS } from '../../api-conventions/partner-roles';
import { UpdatePartnerDto } from './update-partner.dto';
import { UpdatePartnerHandler } from './update-partner.handler';
import { PARTNER_WRITTEN } from '../../api-conventions/partner-registry.openapi';

@ApiTags('partners')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/partners')
export class UpdatePartnerController {
  constructor(private readonly handler: UpdatePartnerHandler) {}

  @Patch(':id')
  @ReadYourWrites()
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: "Update a tenant partner, or override an inherited partner's settings for this tenant" })
  @ApiResponse({ status: 200, description: "Partner updated (or, for an inherited partner, the override stored; override_settings then lists the overrides)", schema: PARTNER_WRITTEN })
  async update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: UpdatePartnerDto) {
    return (await this.handler.execute(ctx, id, body)).map(({ overridden, partner }) => {
      if (!overridden) return { message: 'Partner updated successfully', data: presentPartner(partner) };
      const { certificates: _c, certificates_total: _ct, message_stats: _m, statistics: _st, last_message_at: _l, connection_status: _s, ...data } = presentPartnerDetails(partner);
      return { message: 'Partner configuration overridden successfully', data };
    });
  }
}
