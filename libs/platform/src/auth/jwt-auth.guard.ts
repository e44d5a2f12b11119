import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { addToLogContext } from '@as2-partners/kernel';
import { requestIdsOf, type RequestWithIds } from '../http/request-ids';
import { callerOfAuthorization, refusalOf, verifiedCallerOf } from './authenticate-before-body';
import type { RequestContext, Role } from './caller';
import { JwtVerifier } from './jwt-verifier';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_ROLES } from './roles.decorator';
import { REQUIRES_TENANT } from './requires-tenant.decorator';
import { deletedTenantsIn, type DeletedTenants } from './deleted-tenant.guard';

interface AuthenticatedRequest extends RequestWithIds {
  context?: RequestContext;
}


/**
 * Global guard: every route needs a valid bearer JWT unless marked @Public(); @Roles() then narrows who may call.
 * Attaches `request.context` (caller, correlation id, request id) for @Ctx().
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(JwtVerifier) private readonly verifier: JwtVerifier,
    private readonly moduleRef: ModuleRef,
  ) {}

  private deletedTenantsSource: DeletedTenants | undefined | null = null;

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    if (execution.getType() !== 'http') return true;
    const targets = [execution.getHandler(), execution.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = execution.switchToHttp().getRequest<AuthenticatedRequest>();
    const ids = requestIdsOf(request);
    // Verified when the request arrived (authenticateBeforeBody), before its body was read; verified here otherwise.
    const caller = verifiedCallerOf(request) ?? (await callerOfAuthorization(request, this.verifier));
    addToLogContext({ account: caller.account, tenant: caller.tenant, user: caller.sub });
    request.context = {
      caller,
      correlationId: ids.correlationId,
      requestId: ids.requestId,
      ...(ids.trace ? { traceparent: ids.trace.traceparent, ...(ids.trace.tracestate ? { tracestate: ids.trace.tracestate } : {}) } : {}),
      ...(ids.commandId ? { commandId: ids.commandId } : {}),
    };

    const access = { roles: this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets), requiresTenant: this.reflector.getAllAndOverride<boolean>(REQUIRES_TENANT, targets) === true };
    // An account's routes (`/v1/accounts/{account}/…`) act on the caller's own account only; who may call comes before
    // the query or body, so another account's caller learns nothing of the route's rules or resources.
    const refusal = await refusalOf(caller, access, (request as { params?: Record<string, unknown> }).params?.['account'], this.deletedTenants());
    if (refusal !== null) throw refusal;
    return true;
  }

  /** A service's DeletedTenants (any: they answer alike), or undefined in an app without one (the platform alone); looked up once. */
  private deletedTenants(): DeletedTenants | undefined {
    if (this.deletedTenantsSource === null) this.deletedTenantsSource = deletedTenantsIn(this.moduleRef);
    return this.deletedTenantsSource;
  }
}
