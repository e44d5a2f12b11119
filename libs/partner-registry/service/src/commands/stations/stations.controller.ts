import { Body, Controller, Delete, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { Ctx, ReadYourWrites, type RequestContext, Roles, RequiresTenant } from '@as2-partners/platform';
import { toApiTimestamp } from '../../api-conventions/api-timestamp';
import { TENANT_WRITERS } from '../../api-conventions/partner-roles';
import { presentStation } from '../../queries/exchange-views/exchange.presenter';
import { CreateStationDto, UpdateStationDto } from './station.dto';
import { StationsHandler } from './stations.handler';
import { EXCHANGE_DELETED, STATION_WRITTEN } from '../../api-conventions/exchange.openapi';

@ApiTags('stations')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/stations')
export class StationsController {
  constructor(private readonly handler: StationsHandler) {}

  @Post()
  @ReadYourWrites()
  @HttpCode(201)
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: 'Create a station (name, notification_email, optional default AS2 instance)' })
  @ApiResponse({ status: 201, description: 'OK', schema: STATION_WRITTEN })
  @ApiResponse({ status: 404, description: 'AS2_INSTANCE_NOT_FOUND: as2_instance_id names no instance the tenant sees' })
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateStationDto) {
    return (await this.handler.create(ctx, body)).map((doc) => ({ message: 'Station created successfully', data: presentStation(doc) }));
  }

  @Patch(':id')
  @ReadYourWrites()
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: 'Update a station' })
  @ApiResponse({ status: 200, description: 'OK', schema: STATION_WRITTEN })
  async update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: UpdateStationDto) {
    return (await this.handler.update(ctx, id, body)).map((doc) => ({ message: 'Station updated successfully', data: presentStation(doc) }));
  }

  @Delete(':id')
  @ReadYourWrites()
  @HttpCode(200)
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: 'Delete a station; refused (409 STATION_IN_USE) while partners belong to it' })
  @ApiResponse({ status: 200, description: 'OK', schema: EXCHANGE_DELETED })
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return (await this.handler.delete(ctx, id)).map((deletedAt) => ({ message: 'Station deleted successfully', data: { id, deleted_at: toApiTimestamp(deletedAt) } }));
  }
}
