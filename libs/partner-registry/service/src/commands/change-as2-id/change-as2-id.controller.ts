import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx, ReadYourWrites, type RequestContext, requireOwnAccount, requireTenant, Roles, RequiresTenant } from '@as2-partners/platform';
import { toApiTimestamp } from '../../api-conventions/api-timestamp';
import { TENANT_READERS, TENANT_WRITERS } from '../../api-conventions/partner-roles';
import { As2IdChangeImpactQueryDto, ChangeAs2IdDto } from './change-as2-id.dto';
import { ChangeAs2IdHandler } from './change-as2-id.handler';
import { AS2_ID_CHANGED, AS2_ID_CHANGE_IMPACT } from '../../api-conventions/exchange.openapi';

function answer(id: string, changed: { oldAs2Id: string; newAs2Id: string; changedAt: string }) {
  return { message: 'AS2 ID changed successfully', data: { id, old_as2_id: changed.oldAs2Id, as2_id: changed.newAs2Id, changed_at: toApiTimestamp(changed.changedAt) } };
}

@ApiTags('partners')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/partners/:id/as2-id-change')
export class ChangeAs2IdController {
  constructor(private readonly handler: ChangeAs2IdHandler) {}

  @Get('impact')
  @Roles(...TENANT_READERS)
  @ApiOperation({ summary: "What changing a tenant partner's AS2 id would break, and whether the new id is free" })
  @ApiResponse({ status: 200, description: 'OK', schema: AS2_ID_CHANGE_IMPACT })
  async impact(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: As2IdChangeImpactQueryDto) {
    requireTenant(ctx);
    return { data: await this.handler.impact(ctx, null, id, query.new_as2_id) };
  }

  @Post()
  @ReadYourWrites()
  @HttpCode(200)
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: "Change a tenant partner's AS2 id (seed 000's risks acknowledged)" })
  @ApiResponse({ status: 422, description: 'RISK_ACKNOWLEDGEMENT_REQUIRED (details.risks), DUPLICATE_AS2_ID, INVALID_AS2_ID_FORMAT' })
  @ApiResponse({ status: 403, description: 'INHERITED_PARTNER_AS2_ID_READ_ONLY' })
  @ApiResponse({ status: 200, description: 'OK', schema: AS2_ID_CHANGED })
  async change(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: ChangeAs2IdDto) {
    requireTenant(ctx);
    return (await this.handler.change(ctx, null, id, body)).map((changed) => answer(id, changed));
  }
}

@ApiTags('master partners')
@ApiBearerAuth()
@Roles('account_admin')
@Controller('v1/accounts/:account/partners/:id/as2-id-change')
export class MasterChangeAs2IdController {
  constructor(private readonly handler: ChangeAs2IdHandler) {}

  @Get('impact')
  @ApiOperation({ summary: "What changing a master partner's AS2 id would break in every tenant" })
  @ApiResponse({ status: 200, description: 'OK', schema: AS2_ID_CHANGE_IMPACT })
  async impact(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string, @Query() query: As2IdChangeImpactQueryDto) {
    return { data: await this.handler.impact(ctx, requireOwnAccount(ctx, account), id, query.new_as2_id) };
  }

  @Post()
  @ReadYourWrites()
  @HttpCode(200)
  @ApiOperation({ summary: "Change a master partner's AS2 id; every tenant sees the new id" })
  @ApiResponse({ status: 200, description: 'OK', schema: AS2_ID_CHANGED })
  async change(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string, @Body() body: ChangeAs2IdDto) {
    return (await this.handler.change(ctx, requireOwnAccount(ctx, account), id, body)).map((changed) => answer(id, changed));
  }
}
