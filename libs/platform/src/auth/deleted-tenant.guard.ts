import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@as2-partners/kernel';
import type { RequestContext } from './caller';
import { IS_PUBLIC } from './public.decorator';

/** A service's own answer to "was this tenant deleted?", from its view of the partner-registry's tenants. */
export interface DeletedTenants {
  isDeleted(account: string, tenant: string): Promise<boolean>;
  /** Optional: the answer when it is known without waiting (remembered), else undefined. */
  knownVerdict?(account: string, tenant: string): boolean | undefined;
}

/** Each service module provides its DeletedTenants under this token, beside `{ provide: APP_GUARD, useClass: DeletedTenantGuard }`. */
export const DELETED_TENANTS = Symbol('DELETED_TENANTS');

/** What every route answers a deleted tenant's token (403). */
export function tenantDeletedError(tenant: string): DomainError {
  return new DomainError('TENANT_DELETED', `Tenant ${tenant} was deleted: its data is closed`);
}

/** Set on a request once a guard found its tenant not deleted: the guards of the other modules of one process skip the lookup. */
const TENANT_CHECKED = Symbol('tenantChecked');

/**
 * Refuses every route to a token of a deleted tenant (403 TENANT_DELETED), reads and writes alike. Registered
 * globally by each service after the platform's JwtAuthGuard, which attaches the caller it reads. It answers at once
 * (no promise for Nest to wait on) when it can: the request already checked by another service's guard, no tenant, or a
 * verdict known without waiting; it asks its DeletedTenants otherwise.
 */
@Injectable()
export class DeletedTenantGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(DELETED_TENANTS) private readonly deleted: DeletedTenants,
  ) {}

  canActivate(execution: ExecutionContext): boolean | Promise<boolean> {
    if (execution.getType() !== 'http') return true;
    const request = execution.switchToHttp().getRequest<CheckedRequest>();
    if (request[TENANT_CHECKED]) return true;
    const context = request.context;
    if (!context) {
      if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [execution.getHandler(), execution.getClass()])) return true;
      throw new Error('RequestContext missing: DeletedTenantGuard must run after the JwtAuthGuard');
    }
    const { account, tenant } = context.caller;
    if (tenant === null) return checked(request);
    const known = this.deleted.knownVerdict?.(account, tenant);
    if (known !== undefined) return verdict(request, tenant, known);
    return this.deleted.isDeleted(account, tenant).then((deleted) => verdict(request, tenant, deleted));
  }
}

type CheckedRequest = { context?: RequestContext; [TENANT_CHECKED]?: true };

function checked(request: CheckedRequest): true {
  request[TENANT_CHECKED] = true;
  return true;
}

function verdict(request: CheckedRequest, tenant: string, deleted: boolean): true {
  if (deleted) throw tenantDeletedError(tenant);
  return checked(request);
}
