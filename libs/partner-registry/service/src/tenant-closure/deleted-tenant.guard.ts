import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { tenantDeleted } from '@as2-partners/partner-registry-domain';
import { IS_PUBLIC, type RequestContext } from '@as2-partners/platform';
import { PartnerQueries } from '../queries/partner-views/partner-queries';

/**
 * Refuses every route to a token of a deleted tenant (403 TENANT_DELETED), reads and writes alike. Registered
 * globally after the platform's JwtAuthGuard, which attaches the caller it reads.
 */
@Injectable()
export class DeletedTenantGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly queries: PartnerQueries,
  ) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    if (execution.getType() !== 'http') return true;
    const context = execution.switchToHttp().getRequest<{ context?: RequestContext }>().context;
    if (!context) {
      if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [execution.getHandler(), execution.getClass()])) return true;
      throw new Error('RequestContext missing: DeletedTenantGuard must run after the JwtAuthGuard');
    }
    const { account, tenant } = context.caller;
    if (tenant !== null && (await this.queries.isDeletedTenant(account, tenant))) throw tenantDeleted(tenant);
    return true;
  }
}
