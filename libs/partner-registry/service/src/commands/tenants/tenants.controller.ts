import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { isPlan, partnerLimitOf } from '@as2-partners/partner-registry-domain';
import { ClosesTenant, Ctx, ReadYourWrites, type RequestContext, requireOwnAccount, Roles } from '@as2-partners/platform';
import { toApiTimestamp } from '../../api-conventions/api-timestamp';
import { PageQueryDto } from '../../api-conventions/list-query.dto';
import { paginationOf } from '../../api-conventions/pagination';
import { PartnerQueries } from '../../queries/partner-views/partner-queries';
import type { TenantDocument } from '../../queries/partner-views/partner-view.document';
import { CreateTenantDto, UpdateTenantDto } from './tenant.dto';
import { TenantsHandler } from './tenants.handler';
import { DELETED, TENANT_PAGE, TENANT_READ, TENANT_WRITTEN } from '../../api-conventions/partner-registry.openapi';

function presentTenant(tenant: TenantDocument) {
  return {
    id: tenant.tenantId,
    name: tenant.name,
    plan: tenant.plan,
    partner_limit: isPlan(tenant.plan) ? partnerLimitOf(tenant.plan) : null,
    notification_email: tenant.notificationEmail ?? null,
    created_at: toApiTimestamp(tenant.createdAt),
    updated_at: toApiTimestamp(tenant.updatedAt),
  };
}

@ApiTags('tenants')
@ApiBearerAuth()
@Roles('account_admin')
@Controller('v1/accounts/:account/tenants')
export class TenantsController {
  constructor(
    private readonly handler: TenantsHandler,
    @Inject(PartnerQueries) private readonly queries: PartnerQueries,
  ) {}

  @Get()
  @ApiOperation({ summary: "The account's tenants and their plans" })
  @ApiResponse({ status: 200, description: "The account's tenants, a page", schema: TENANT_PAGE })
  async list(@Ctx() ctx: RequestContext, @Param('account') account: string, @Query() query: PageQueryDto) {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const result = await this.queries.listTenants(requireOwnAccount(ctx, account), page, perPage);
    return { data: result.items.map(presentTenant), pagination: paginationOf(page, perPage, result.total, result.items.length) };
  }

  @Post()
  @ReadYourWrites()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a tenant with a plan (free, starter, professional, enterprise)' })
  @ApiResponse({ status: 201, description: "Tenant created", schema: TENANT_WRITTEN })
  @ApiResponse({ status: 409, description: 'TENANT_ALREADY_EXISTS, TENANT_ID_RETIRED (a deleted tenant\'s id is never given again)' })
  async create(@Ctx() ctx: RequestContext, @Param('account') account: string, @Body() body: CreateTenantDto) {
    return (await this.handler.create(ctx, requireOwnAccount(ctx, account), body)).map((tenant) => ({ message: 'Tenant created successfully', data: presentTenant(tenant) }));
  }

  @Get(':tenant')
  @ApiResponse({ status: 200, description: "The tenant", schema: TENANT_READ })
  @ApiResponse({ status: 404, description: 'TENANT_NOT_FOUND' })
  async get(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('tenant') tenantId: string) {
    return { data: presentTenant(await this.handler.get(requireOwnAccount(ctx, account), tenantId)) };
  }

  @Patch(':tenant')
  @ReadYourWrites()
  @ApiOperation({ summary: "Rename a tenant, change its plan (applies to the tenant's later creates) or its notification email (null clears it)" })
  @ApiResponse({ status: 200, description: "Tenant updated", schema: TENANT_WRITTEN })
  @ApiResponse({ status: 404, description: 'TENANT_NOT_FOUND' })
  async update(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('tenant') tenantId: string, @Body() body: UpdateTenantDto) {
    return (await this.handler.update(ctx, requireOwnAccount(ctx, account), tenantId, body)).map((tenant) => ({ message: 'Tenant updated successfully', data: presentTenant(tenant) }));
  }

  @Delete(':tenant')
  // Alone among the tenant's writes until answered: one racing it is refused after it, never stored after the deletion.
  @ClosesTenant()
  @ReadYourWrites()
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Delete a tenant for good: its partners are deleted, its stored secrets destroyed, its tokens refused (403 TENANT_DELETED) and its id retired (409 TENANT_ID_RETIRED); a repeated delete finishes an interrupted one",
  })
  @ApiResponse({ status: 200, description: "Tenant deleted", schema: DELETED })
  @ApiResponse({ status: 404, description: 'TENANT_NOT_FOUND' })
  async delete(@Ctx() ctx: RequestContext, @Param('account') account: string, @Param('tenant') tenantId: string) {
    return (await this.handler.delete(ctx, requireOwnAccount(ctx, account), tenantId)).map((deletedAt) => ({
      message: 'Tenant deleted successfully',
      data: { id: tenantId, deleted_at: toApiTimestamp(deletedAt) },
    }));
  }
}
