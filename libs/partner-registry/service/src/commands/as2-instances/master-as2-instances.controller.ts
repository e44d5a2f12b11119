import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { as2InstanceNotFound } from '@as2-partners/partner-registry-domain';
import { Ctx, paginationOf, ReadYourWrites, type RequestContext, requireOwnAccount, Roles } from '@as2-partners/platform';
import { toApiTimestamp } from '../../api-conventions/api-timestamp';
import { PageQueryDto } from '../../api-conventions/list-query.dto';
import { As2InstanceDetails } from '../../queries/exchange-views/as2-instance-details';
import { ExchangeQueries } from '../../queries/exchange-views/exchange-queries';
import { presentAs2Instance } from '../../queries/exchange-views/exchange.presenter';
import { CreateAs2InstanceDto, DeleteAs2InstanceQueryDto, UpdateAs2InstanceDto } from './as2-instance.dto';
import { As2InstancesHandler } from './as2-instances.handler';
import { AS2_INSTANCE_DETAILS, AS2_INSTANCE_PAGE, AS2_INSTANCE_WRITTEN, EXCHANGE_DELETED } from '../../api-conventions/exchange.openapi';

@ApiTags('master as2 instances')
@ApiBearerAuth()
@Roles('account_admin')
@Controller('v1/accounts/:account/as2-instances')
export class MasterAs2InstancesController {
  constructor(
    private readonly handler: As2InstancesHandler,
    @Inject(ExchangeQueries) private readonly queries: ExchangeQueries,
    @Inject(As2InstanceDetails) private readonly details: As2InstanceDetails,
  ) {}

  @Get()
  @ApiOperation({ summary: "The account's master AS2 instances" })
  @ApiResponse({ status: 200, description: 'OK', schema: AS2_INSTANCE_PAGE })
  async list(@Ctx() ctx: RequestContext, @Param('account') account: string, @Query() query: PageQueryDto) {
    requireOwnAccount(ctx, account);
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const result = await this.queries.listInstances(account, null, 'all', { page, perPage });
    return { data: result.items.map((doc) => presentAs2Instance(doc, 'master')), pagination: paginationOf(page, perPage, result.total, result.items.length) };
  }

  @Post()
  @ReadYourWrites()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a master AS2 instance; every tenant of the account sees it as inherited' })
  @ApiResponse({ status: 201, description: 'OK', schema: AS2_INSTANCE_WRITTEN })
  async create(@Ctx() ctx: RequestContext, @Param('account') account: string, @Body() body: CreateAs2InstanceDto) {
    const scope = { account: requireOwnAccount(ctx, account), tenant: null };
    return (await this.handler.create(ctx, scope, body)).map((doc) => ({ message: 'Master AS2 instance created successfully', data: presentAs2Instance(doc, 'master') }));
  }

  @Get(':id')
  @ApiOperation({ summary: "A master AS2 instance with every tenant's partnerships that name it" })
  @ApiResponse({ status: 200, description: 'OK', schema: AS2_INSTANCE_DETAILS })
  async get(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string) {
    const doc = await this.queries.findMasterInstance(requireOwnAccount(ctx, account), id);
    if (!doc) throw as2InstanceNotFound(id);
    return { data: await this.details.of(doc, null, 'master') };
  }

  @Patch(':id')
  @ReadYourWrites()
  @ApiOperation({ summary: 'Update a master AS2 instance' })
  @ApiResponse({ status: 200, description: 'OK', schema: AS2_INSTANCE_WRITTEN })
  async update(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string, @Body() body: UpdateAs2InstanceDto) {
    const scope = { account: requireOwnAccount(ctx, account), tenant: null };
    return (await this.handler.update(ctx, scope, id, body)).map((doc) => ({ message: 'Master AS2 instance updated successfully', data: presentAs2Instance(doc, 'master') }));
  }

  @Delete(':id')
  @ReadYourWrites()
  @HttpCode(200)
  @ApiOperation({ summary: "Delete a master AS2 instance; refused while any tenant's partnership names it, unless ?cascade=true" })
  @ApiResponse({ status: 200, description: 'OK', schema: EXCHANGE_DELETED })
  async delete(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('id') id: string, @Query() query: DeleteAs2InstanceQueryDto) {
    const scope = { account: requireOwnAccount(ctx, account), tenant: null };
    return (await this.handler.delete(ctx, scope, id, query.cascade ?? false)).map((deletedAt) => ({
      message: 'Master AS2 instance deleted successfully',
      data: { id, deleted_at: toApiTimestamp(deletedAt) },
    }));
  }
}
