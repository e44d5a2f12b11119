import { Controller, Get, Header, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx, Roles, type RequestContext } from '@as2-partners/platform';
import { OUTBOUND_AUTH } from '../../api-conventions/partner-registry.openapi';
import { accountOfGatewayOrCaller, GATEWAY_SCOPE_FORBIDDEN, tenantOfGatewayOrCaller } from '../exchange-views/gateway-scope';
import { OutboundAuthQueryDto } from './outbound-auth-query.dto';
import { PartnerOutboundAuth } from './partner-outbound-auth';

/**
 * What a sender needs to deliver to a partner that wants HTTP basic auth: the unsealed password, for the gateway
 * and the connection tester in other processes. Role `gateway` only; every answer is audited and never cached.
 */
@ApiTags('internal')
@ApiBearerAuth()
@Controller('internal/v1/partners')
export class InternalOutboundAuthController {
  constructor(@Inject(PartnerOutboundAuth) private readonly outbound: PartnerOutboundAuth) {}

  @Get(':id/outbound-auth')
  @Roles('gateway')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "The partner's outbound HTTP basic credential as the tenant sends with it (its overrides of a master applied)" })
  @ApiResponse({ status: 200, description: 'OK', schema: OUTBOUND_AUTH })
  @ApiResponse({ status: 403, description: `${GATEWAY_SCOPE_FORBIDDEN} (?account=, ?tenant=)` })
  @ApiResponse({ status: 404, description: 'PARTNER_NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'OUTBOUND_SECRET_UNAVAILABLE: the password was sealed with a key that no longer exists' })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: OutboundAuthQueryDto) {
    const account = accountOfGatewayOrCaller(ctx, query.account);
    const tenant = tenantOfGatewayOrCaller(ctx, query.tenant);
    const auth = await this.outbound.outboundAuth({ account, tenant, partnerId: id, requestedBy: `gateway token ${ctx.caller.sub}` });
    return { data: { partner_id: auth.partnerId, tenant, enabled: auth.enabled, username: auth.username, password: auth.password } };
  }
}
