import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { Ctx, ReadYourWrites, Roles, type RequestContext, RequiresTenant } from '@as2-partners/platform';
import { toApiTimestamp } from '../../api-conventions/api-timestamp';
import { TENANT_WRITERS } from '../../api-conventions/partner-roles';
import { DeletePartnerHandler } from './delete-partner.handler';
import { DELETED } from '../../api-conventions/partner-registry.openapi';

@ApiTags('partners')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/partners')
export class DeletePartnerController {
  constructor(private readonly handler: DeletePartnerHandler) {}

  @Delete(':id')
  @ReadYourWrites()
  @HttpCode(200)
  @Roles(...TENANT_WRITERS)
  @ApiOperation({ summary: 'Delete a tenant partner (its history stays; its AS2 id may be reused). Inherited partners cannot be deleted by tenants.' })
  @ApiResponse({ status: 200, description: "Partner deleted", schema: DELETED })
  @ApiResponse({ status: 403, description: 'FORBIDDEN, TENANT_REQUIRED, TENANT_DELETED; INHERITED_PARTNER_NOT_DELETABLE: an inherited (master) partner is the account\'s' })
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return (await this.handler.execute(ctx, id)).map(({ deletedAt }) => ({ message: 'Partner deleted successfully', data: { id, deleted_at: toApiTimestamp(deletedAt) } }));
  }
}
