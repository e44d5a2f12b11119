import { Inject, Injectable, Optional, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { DomainError } from '@as2-partners/kernel';
import type { RequestContext } from './caller';
import { IS_PUBLIC } from './public.decorator';
import { as2InstanceGate, keyAliasGate, partnerGate, tenantGate, WRITE_GATES, type WriteGates } from './write-gates';

/** A service's own answer to "was this tenant deleted?", from its view of the partner-registry's tenants. */
export interface DeletedTenants {
  isDeleted(account: string, tenant: string): Promise<boolean>;
  /** Optional: the answer when it is known without waiting (remembered), else undefined. */
  knownVerdict?(account: string, tenant: string): boolean | undefined;
}

/** Each service module provides its DeletedTenants under this token, beside `{ provide: APP_GUARD, useClass: DeletedTenantGuard }`. */
export const DELETED_TENANTS = Symbol('DELETED_TENANTS');

/**
 * A service's DeletedTenants (any: they answer alike), or undefined in an app without one (the platform alone). Through
 * a ModuleRef: an app's own get() logs a provider it does not find as an error before throwing.
 */
export function deletedTenantsIn(moduleRef: ModuleRef): DeletedTenants | undefined {
  try {
    return moduleRef.get<DeletedTenants>(DELETED_TENANTS, { strict: false });
  } catch {
    return undefined;
  }
}

/** What every route answers a deleted tenant's token (403). */
export function tenantDeletedError(tenant: string): DomainError {
  return new DomainError('TENANT_DELETED', `Tenant ${tenant} was deleted: its data is closed`);
}

/** Never provided: the guard's gates are the process's, but for a spec that constructs it with its own. */
const WRITE_GATES_SPEC = Symbol('WriteGates (specs only)');

/** Set on a request once a guard found its tenant not deleted: the guards of the other modules of one process skip the lookup. */
const TENANT_CHECKED = Symbol('tenantChecked');

const CLOSES_TENANT = 'as2:closesTenant';
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Marks the route that deletes the tenant its `:tenant` parameter names (of the caller's account): it runs alone among
 * that tenant's writes (WriteGates), from its guard until its answer is sent.
 */
export const ClosesTenant = (): MethodDecorator => SetMetadata(CLOSES_TENANT, true);

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
    // The process's gates (a spec gives its own): not a provider, so the services of one process share them.
    @Optional() @Inject(WRITE_GATES_SPEC) private readonly gates: WriteGates = WRITE_GATES,
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
    const { tenant } = context.caller;
    const account = accountOfTenantClaim(request, context.caller.account);
    const response = execution.switchToHttp().getResponse<{ raw?: ServerResponse }>().raw;
    if (this.reflector.get<boolean | undefined>(CLOSES_TENANT, execution.getHandler()) && response) return this.closing(request, response, account);
    const writes = response !== undefined && WRITES.has(request.method as string);
    const entity = writes ? entityGatesOf(request.method as string, request.routeOptions?.url, request.params, account, request.body) : NO_ENTITY_GATES;
    if (tenant === null && entity === NO_ENTITY_GATES) return checked(request);
    // A write enters its tenant's gate before the check: a deletion running now is answered before it is let in.
    const enter = [...(writes && tenant !== null ? [tenantGate(account, tenant)] : []), ...entity.enter];
    const entered = this.enterAll(enter, response as ServerResponse);
    if (entered === true && entity.close === null) return tenant === null ? checked(request) : this.check(request, account, tenant);
    return (async () => {
      if (entered !== true) await entered;
      // The deletion of a partner or an AS2 instance: alone among the writes that depend on it until it is answered.
      if (entity.close !== null) leaveWhenAnswered(response as ServerResponse, await this.gates.close(entity.close));
      return tenant === null ? checked(request) : this.check(request, account, tenant);
    })();
  }

  /** Enters the gates from `from` on, in order, each left once the request is answered; true when none had to wait (no promise). */
  private enterAll(gates: readonly string[], response: ServerResponse, from = 0): true | Promise<void> {
    for (let i = from; i < gates.length; i += 1) {
      const gate = gates[i] as string;
      const entered = this.gates.enter(gate);
      const leave = () => this.gates.leave(gate);
      if (entered !== true)
        return entered.then(async () => {
          leaveWhenAnswered(response, leave);
          await this.enterAll(gates, response, i + 1);
        });
      leaveWhenAnswered(response, leave);
    }
    return true;
  }

  private check(request: CheckedRequest, account: string, tenant: string): boolean | Promise<boolean> {
    const known = this.deleted.knownVerdict?.(account, tenant);
    if (known !== undefined) return verdict(request, tenant, known);
    return this.deleted.isDeleted(account, tenant).then((deleted) => verdict(request, tenant, deleted));
  }

  /** The deletion of the caller's account's tenant its route names: the tenant's gate closed until it is answered. */
  private async closing(request: CheckedRequest, response: ServerResponse, account: string): Promise<boolean> {
    const tenant = request.params?.tenant;
    if (typeof tenant !== 'string') return checked(request);
    const reopen = await this.gates.close(tenantGate(account, tenant));
    leaveWhenAnswered(response, reopen);
    const own = request.context?.caller.tenant ?? null;
    return own === null ? checked(request) : this.check(request, account, own);
  }
}

type CheckedRequest = { context?: RequestContext; method?: string; params?: Record<string, unknown>; query?: { account?: unknown }; body?: unknown; routeOptions?: { url?: string }; [TENANT_CHECKED]?: true };

/** The gates a write enters (what it depends on) and the one it closes (what it deletes), by its route. */
interface EntityGates {
  readonly enter: readonly string[];
  readonly close: string | null;
}

const NO_ENTITY_GATES: EntityGates = { enter: [], close: null };

/** The routes under one entity (`:id` of the caller's account), the gate of each kind, and the path of its deletion. */
const ENTITY_ROUTES: readonly { readonly prefixes: readonly string[]; readonly gate: (account: string, id: string) => string }[] = [
  { prefixes: ['/v1/partners/:id', '/v1/accounts/:account/partners/:id'], gate: partnerGate },
  { prefixes: ['/v1/as2-instances/:id', '/v1/accounts/:account/as2-instances/:id'], gate: as2InstanceGate },
];

/** Writes that name what they depend on in their body: a partnership its instance and partner, a station its default instance, an instance its key alias. */
const BODY_NAMED: readonly { readonly urls: readonly string[]; readonly gates: (body: Record<string, unknown>, account: string) => string[] }[] = [
  { urls: ['/v1/partnerships'], gates: (body, account) => [...named(body.as2_instance_id, (id) => as2InstanceGate(account, id)), ...named(body.partner_id, (id) => partnerGate(account, id))] },
  { urls: ['/v1/stations', '/v1/stations/:id'], gates: (body, account) => named(body.as2_instance_id, (id) => as2InstanceGate(account, id)) },
  {
    urls: ['/v1/as2-instances', '/v1/as2-instances/:id', '/v1/accounts/:account/as2-instances', '/v1/accounts/:account/as2-instances/:id'],
    gates: (body, account) => named(body.my_as2_alias, (alias) => keyAliasGate(account, alias)),
  },
];

const named = (value: unknown, gate: (name: string) => string): string[] => (typeof value === 'string' && value.length > 0 ? [gate(value)] : []);

/**
 * A write under a partner's or an AS2 instance's route (its certificates, slots, rollovers, traffic, overrides, AS2-id
 * change…) enters its gate, and so does a write that names one in its body; the DELETE of the partner or instance closes
 * it until answered, so such a write is answered before the deletion (which then ends what it made, its views and every
 * service's copies having it) or refused after it (the entity not found), whichever service of the process takes it.
 */
export function entityGatesOf(method: string, url: string | undefined, params: Record<string, unknown> | undefined, account: string, body?: unknown): EntityGates {
  if (url === undefined) return NO_ENTITY_GATES;
  const id = params?.id;
  const enter: string[] = [];
  if (method !== 'DELETE' && typeof body === 'object' && body !== null && !Array.isArray(body)) {
    for (const { urls, gates } of BODY_NAMED) if (urls.includes(url)) enter.push(...gates(body as Record<string, unknown>, account));
  }
  if (typeof id === 'string') {
    for (const { prefixes, gate } of ENTITY_ROUTES) {
      const prefix = prefixes.find((candidate) => url === candidate || url.startsWith(`${candidate}/`));
      if (prefix === undefined) continue;
      if (method === 'DELETE' && url === prefix) return { enter, close: gate(account, id) };
      enter.push(gate(account, id));
      break;
    }
  }
  return enter.length === 0 ? NO_ENTITY_GATES : { enter: [...new Set(enter)], close: null };
}

/** Runs `leave` once, when the response is sent or its connection is gone, whichever comes first. */
function leaveWhenAnswered(response: ServerResponse, leave: () => void): void {
  if (response.writableFinished || response.destroyed) return leave();
  let left = false;
  const once = () => {
    if (left) return;
    left = true;
    response.off('finish', once);
    response.off('close', once);
    leave();
  };
  response.once('finish', once);
  response.once('close', once);
}

/** What a gateway token of every account says (caller-claims). */
const EVERY_ACCOUNT = '*';

/**
 * The account a token's tenant claim is of: the token's own, or for a gateway token of every account (`*`, whose
 * tenant claim names a tenant of whichever account it acts for) the account the request names, `?account=` or the body's
 * `account`, so a deleted tenant of that account is refused as its own tokens are. `*` when it names none (the route
 * then refuses it ACCOUNT_REQUIRED).
 */
function accountOfTenantClaim(request: CheckedRequest, own: string): string {
  if (own !== EVERY_ACCOUNT) return own;
  const named = request.query?.account ?? (request.body !== null && typeof request.body === 'object' ? (request.body as { account?: unknown }).account : undefined);
  return typeof named === 'string' && named !== '' ? named : own;
}

function checked(request: CheckedRequest): true {
  request[TENANT_CHECKED] = true;
  return true;
}

function verdict(request: CheckedRequest, tenant: string, deleted: boolean): true {
  if (deleted) throw tenantDeletedError(tenant);
  return checked(request);
}
