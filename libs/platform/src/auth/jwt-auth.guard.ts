import { bearerTokenOf } from './bearer-token';
import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { addToLogContext } from '@as2-partners/kernel';
import { requestIdsOf, type RequestWithIds } from '../http/request-ids';
import { logRefusedToken, verifiedCallerOf } from './authenticate-before-body';
import type { Caller, RequestContext, Role } from './caller';
import { requireOwnAccount, requireTenant } from './caller-scope';
import { AuthenticationFailedError, JwtVerifier } from './jwt-verifier';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_ROLES } from './roles.decorator';
import { REQUIRES_TENANT } from './requires-tenant.decorator';
import { DELETED_TENANTS, tenantDeletedError, type DeletedTenants } from './deleted-tenant.guard';

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

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    if (execution.getType() !== 'http') return true;
    const targets = [execution.getHandler(), execution.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = execution.switchToHttp().getRequest<AuthenticatedRequest>();
    const ids = requestIdsOf(request);
    // Verified when the request arrived (authenticateBeforeBody), before its body was read; verified here otherwise.
    const caller = verifiedCallerOf(request) ?? (await this.authenticate(request, ids.correlationId));
    addToLogContext({ account: caller.account, tenant: caller.tenant, user: caller.sub });
    request.context = {
      caller,
      correlationId: ids.correlationId,
      requestId: ids.requestId,
      ...(ids.trace ? { traceparent: ids.trace.traceparent, ...(ids.trace.tracestate ? { tracestate: ids.trace.tracestate } : {}) } : {}),
      ...(ids.commandId ? { commandId: ids.commandId } : {}),
    };

    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (required && required.length > 0 && !required.some((role) => caller.roles.includes(role))) {
      // A deleted tenant's token gets TENANT_DELETED on every route (the services' DeletedTenantGuard runs after this one).
      if (caller.tenant !== null && (await this.deletedTenants()?.isDeleted(caller.account, caller.tenant))) throw tenantDeletedError(caller.tenant);
      throw new ForbiddenException();
    }
    // An account's routes (`/v1/accounts/{account}/…`) act on the caller's own account only: refused here, before the
    // query or body is checked, so another account's caller learns nothing of the route's rules or resources.
    const account = (request as { params?: Record<string, unknown> }).params?.['account'];
    if (typeof account === 'string') requireOwnAccount(request.context, account);
    if (this.reflector.getAllAndOverride<boolean>(REQUIRES_TENANT, targets)) requireTenant(request.context);
    return true;
  }

  /** A service's DeletedTenants (any: they answer alike), or undefined in an app without one (the platform alone). */
  private deletedTenants(): DeletedTenants | undefined {
    try {
      return this.moduleRef.get<DeletedTenants>(DELETED_TENANTS, { strict: false });
    } catch {
      return undefined;
    }
  }

  private async authenticate(request: AuthenticatedRequest, correlationId: string): Promise<Caller> {
    const { method, url } = request as unknown as { method?: string; url?: string };
    const header = request.headers['authorization'];
    const token = bearerTokenOf(header === undefined ? undefined : String(header));
    if (token === undefined) {
      logRefusedToken(header === undefined ? 'no Authorization header' : 'the Authorization header is not a bearer JWT', correlationId, method, url);
      throw new UnauthorizedException();
    }
    try {
      return await this.verifier.verify(token);
    } catch (error) {
      if (!(error instanceof AuthenticationFailedError)) throw error;
      logRefusedToken(error.message, correlationId, method, url);
      throw new UnauthorizedException();
    }
  }
}
