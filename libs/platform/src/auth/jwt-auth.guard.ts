import { bearerTokenOf } from './bearer-token';
import { ForbiddenException, Inject, Injectable, Logger, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { addToLogContext } from '@as2-partners/kernel';
import { requestIdsOf, type RequestWithIds } from '../http/request-ids';
import type { RequestContext, Role } from './caller';
import { requireOwnAccount, requireTenant } from './caller-scope';
import { AuthenticationFailedError, JwtVerifier } from './jwt-verifier';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_ROLES } from './roles.decorator';
import { REQUIRES_TENANT } from './requires-tenant.decorator';
import { loggableUrl } from '../logging/loggable-url';
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
  private readonly logger = new Logger(JwtAuthGuard.name);

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
    const header = request.headers['authorization'];
    const token = bearerTokenOf(header === undefined ? undefined : String(header));
    if (token === undefined) {
      this.refused(header === undefined ? 'no Authorization header' : 'the Authorization header is not a bearer JWT', ids.correlationId, request);
      throw new UnauthorizedException();
    }
    let caller;
    try {
      caller = await this.verifier.verify(token);
    } catch (error) {
      if (!(error instanceof AuthenticationFailedError)) throw error;
      this.refused(error.message, ids.correlationId, request);
      throw new UnauthorizedException();
    }
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

  /** Why a request got 401, for whoever investigates it: the reason and the request's ids, never the token. */
  private refused(reason: string, correlationId: string, request: AuthenticatedRequest): void {
    const { method, url } = request as unknown as { method?: string; url?: string };
    this.logger.log({ msg: `401 Unauthorized: ${reason}`, reason, correlationId, method, url: url === undefined ? undefined : loggableUrl(url) });
  }
}
