import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, READ_MODEL_STORE, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import { IS_PUBLIC, type RequestContext } from '@as2-partners/platform';
import { KnownPartnerCollections, knownTenantIdOf, type KnownTenantDocument } from '../reactions/partner-registry-events/known-partner.document';

export function tenantDeleted(tenant: string): DomainError {
  return new DomainError('TENANT_DELETED', `Tenant ${tenant} was deleted: its data is closed`);
}

/**
 * Refuses every route to a token of a tenant the partner-registry deleted (403 TENANT_DELETED), reads and writes
 * alike, keyed on (account, tenant) in the known tenants. Registered globally after the platform's JwtAuthGuard.
 */
@Injectable()
export class DeletedTenantGuard implements CanActivate {
  private readonly tenants: ReadModelCollection<KnownTenantDocument>;

  constructor(
    private readonly reflector: Reflector,
    @Inject(READ_MODEL_STORE) readModels: ReadModelStore,
  ) {
    this.tenants = readModels.collection(KnownPartnerCollections.tenants);
  }

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    if (execution.getType() !== 'http') return true;
    const context = execution.switchToHttp().getRequest<{ context?: RequestContext }>().context;
    if (!context) {
      if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [execution.getHandler(), execution.getClass()])) return true;
      throw new Error('RequestContext missing: DeletedTenantGuard must run after the JwtAuthGuard');
    }
    const { account, tenant } = context.caller;
    if (tenant !== null && (await this.tenants.get(knownTenantIdOf(account, tenant)))?.deleted === true) throw tenantDeleted(tenant);
    return true;
  }
}
