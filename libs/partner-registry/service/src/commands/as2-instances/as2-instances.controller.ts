import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx, ReadYourWrites, type RequestContext, requireTenant, Roles, RequiresTenant } from '@as2-partners/platform';
import { toApiTimestamp } from '../../api-conventions/api-timestamp';
import { TENANT_WRITERS } from '../../api-conventions/partner-roles';
import { presentAs2Instance } from '../../queries/exchange-views/exchange.presenter';
import { CreateAs2InstanceDto, DeleteAs2InstanceQueryDto, UpdateAs2InstanceDto } from './as2-instance.dto';
import { As2InstancesHandler } from './as2-instances.handler';
import { AS2_INSTANCE_WRITTEN, EXCHANGE_DELETED } from '../../api-conventions/exchange.openapi';

@ApiTags('as2 instances')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/as2-instances')
export class As2InstancesController {
  constructor(private readonly handler: As2InstancesHandler) {}

  @Post()
  @ReadYourWrites()
  @HttpCode(201)
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: 'Create one of our AS2 identities' })
  @ApiResponse({ status: 422, description: 'Validation failed (INVALID_AS2_ID_FORMAT, DUPLICATE_MY_AS2_ID)' })
  @ApiResponse({ status: 201, description: 'OK', schema: AS2_INSTANCE_WRITTEN })
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateAs2InstanceDto) {
    const scope = { account: ctx.caller.account, tenant: requireTenant(ctx) };
    return (await this.handler.create(ctx, scope, body)).map((doc) => ({ message: 'AS2 instance created successfully', data: presentAs2Instance(doc) }));
  }

  @Patch(':id')
  @ReadYourWrites()
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: "Update one of the tenant's AS2 instances (inherited ones are read-only)" })
  @ApiResponse({ status: 200, description: 'OK', schema: AS2_INSTANCE_WRITTEN })
  async update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: UpdateAs2InstanceDto) {
    const scope = { account: ctx.caller.account, tenant: requireTenant(ctx) };
    return (await this.handler.update(ctx, scope, id, body)).map((doc) => ({ message: 'AS2 instance updated successfully', data: presentAs2Instance(doc) }));
  }

  @Delete(':id')
  @ReadYourWrites()
  @HttpCode(200)
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: 'Delete an AS2 instance; refused (409 AS2_INSTANCE_IN_USE) while partnerships name it, unless ?cascade=true' })
  @ApiResponse({ status: 200, description: 'OK', schema: EXCHANGE_DELETED })
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: DeleteAs2InstanceQueryDto) {
    const scope = { account: ctx.caller.account, tenant: requireTenant(ctx) };
    return (await this.handler.delete(ctx, scope, id, query.cascade ?? false)).map((deletedAt) => ({
      message: 'AS2 instance deleted successfully',
      data: { id, deleted_at: toApiTimestamp(deletedAt) },
    }));
  }
}
