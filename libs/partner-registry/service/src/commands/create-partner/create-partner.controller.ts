import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AnswersLateView, Ctx, Roles, WriteVisibility, type RequestContext, RequiresTenant } from '@as2-partners/platform';
import { CreatePartnerDto } from '../../partner-settings/partner-settings.dto';
import { presentPartner } from '../../queries/partner-views/partner.presenter';
import { TENANT_WRITERS } from '../../api-conventions/partner-roles';
import { CreatePartnerHandler } from './create-partner.handler';
import { PARTNER_WRITTEN } from '../../api-conventions/partner-registry.openapi';

@ApiTags('partners')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/partners')
export class CreatePartnerController {
  constructor(
    private readonly handler: CreatePartnerHandler,
    private readonly visibility: WriteVisibility,
  ) {}

  // Read-your-writes without @ReadYourWrites(): a route with no interceptor skips Nest's interceptor chain (rxjs, two
  // async resources per request), ~6 % of a create's CPU in profiles; the answer and its 202 are the same.
  @Post()
  @HttpCode(201)
  @AnswersLateView()
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: 'Create a tenant partner' })
  @ApiResponse({ status: 402, description: 'PARTNER_LIMIT_EXCEEDED' })
  @ApiResponse({ status: 404, description: "STATION_NOT_FOUND: station_id names none of the tenant's stations" })
  @ApiResponse({ status: 422, description: 'Validation failed (INVALID_AS2_ID_FORMAT, DUPLICATE_AS2_ID, INVALID_ENDPOINT_URL, UNSUPPORTED_ALGORITHM)' })
  @ApiResponse({ status: 201, description: "Partner created", schema: PARTNER_WRITTEN })
  async create(@Ctx() ctx: RequestContext, @Body() body: CreatePartnerDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const written = (await this.handler.execute(ctx, body)).map((partner) => ({ message: 'Partner created successfully', data: presentPartner(partner) }));
    return this.visibility.respond(written, reply);
  }
}
