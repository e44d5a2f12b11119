import { Body, Controller, Delete, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx, ReadYourWrites, type RequestContext, Roles, RequiresTenant } from '@as2-partners/platform';
import { toApiTimestamp } from '../../api-conventions/api-timestamp';
import { TENANT_WRITERS } from '../../api-conventions/partner-roles';
import { ExchangeQueries } from '../../queries/exchange-views/exchange-queries';
import { presentPartnership } from '../../queries/exchange-views/exchange.presenter';
import { PartnerQueries } from '../../queries/partner-views/partner-queries';
import type { PartnershipDocument } from '../../queries/exchange-views/exchange-view.documents';
import { CreatePartnershipDto, UpdatePartnershipDto } from './partnership.dto';
import { PartnershipsHandler } from './partnerships.handler';
import { EXCHANGE_DELETED, PARTNERSHIP_WRITTEN } from '../../api-conventions/exchange.openapi';

@ApiTags('partnerships')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/partnerships')
export class PartnershipsController {
  constructor(
    private readonly handler: PartnershipsHandler,
    @Inject(ExchangeQueries) private readonly exchange: ExchangeQueries,
    @Inject(PartnerQueries) private readonly partners: PartnerQueries,
  ) {}

  @Post()
  @ReadYourWrites()
  @HttpCode(201)
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: 'Pair one of our AS2 instances with a partner (own or inherited, both)' })
  @ApiResponse({ status: 422, description: 'DUPLICATE_PARTNERSHIP, validation' })
  @ApiResponse({ status: 404, description: 'AS2_INSTANCE_NOT_FOUND, PARTNER_NOT_FOUND' })
  @ApiResponse({ status: 201, description: 'OK', schema: PARTNERSHIP_WRITTEN })
  async create(@Ctx() ctx: RequestContext, @Body() body: CreatePartnershipDto) {
    return (await this.handler.create(ctx, body)).map(async (doc) => ({ message: 'Partnership created successfully', data: await this.present(doc) }));
  }

  @Patch(':id')
  @ReadYourWrites()
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: "Change a partnership's overrides (null removes one: the partner's setting applies)" })
  @ApiResponse({ status: 200, description: 'OK', schema: PARTNERSHIP_WRITTEN })
  async update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: UpdatePartnershipDto) {
    return (await this.handler.update(ctx, id, body)).map(async (doc) => ({ message: 'Partnership updated successfully', data: await this.present(doc) }));
  }

  @Delete(':id')
  @ReadYourWrites()
  @HttpCode(200)
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: 'Delete a partnership' })
  @ApiResponse({ status: 200, description: 'OK', schema: EXCHANGE_DELETED })
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return (await this.handler.delete(ctx, id)).map((deletedAt) => ({ message: 'Partnership deleted successfully', data: { id, deleted_at: toApiTimestamp(deletedAt) } }));
  }

  private async present(doc: PartnershipDocument) {
    const instance = await this.exchange.findInstanceForTenant(doc.account, doc.tenant, doc.as2InstanceId);
    return presentPartnership(doc, instance, await this.partners.findForTenant(doc.account, doc.tenant, doc.partnerId));
  }
}
