import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx, ReadYourWrites, Roles, type RequestContext } from '@as2-partners/platform';
import { CreatePartnerDto } from '../../partner-settings/partner-settings.dto';
import { presentPartner } from '../../queries/partner-views/partner.presenter';
import { TENANT_WRITERS } from '../../api-conventions/partner-roles';
import { CreatePartnerHandler } from './create-partner.handler';
import { PARTNER_WRITTEN } from '../../api-conventions/partner-registry.openapi';

@ApiTags('partners')
@ApiBearerAuth()
@Controller('v1/partners')
export class CreatePartnerController {
  constructor(private readonly handler: CreatePartnerHandler) {}

  @Post()
  @ReadYourWrites()
  @HttpCode(201)
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: 'Create a tenant partner' })
  @ApiResponse({ status: 402, description: 'PARTNER_LIMIT_EXCEEDED' })
  @ApiResponse({ status: 404, description: "STATION_NOT_FOUND: station_id names none of the tenant's stations" })
  @ApiResponse({ status: 422, description: 'Validation failed (INVALID_AS2_ID_FORMAT, DUPLICATE_AS2_ID, INVALID_ENDPOINT_URL, UNSUPPORTED_ALGORITHM)' })
  @ApiResponse({ status: 201, description: "Partner created", schema: PARTNER_WRITTEN })
  async create(@Ctx() ctx: RequestContext, @Body() body: CreatePartnerDto) {
    return (await this.handler.execute(ctx, body)).map((partner) => ({ message: 'Partner created successfully', data: presentPartner(partner) }));
  }
}
