import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RequestContext } from './caller';
import { CachedDeletedTenants } from './cached-deleted-tenants';
import { DeletedTenantGuard, type DeletedTenants } from './deleted-tenant.guard';

/** An HTTP execution whose request carries the caller of `tenant` (null: a token without a tenant claim). */
function executionOf(request: { context?: RequestContext }): ExecutionContext {
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request }),
    getHandler: () => undefined,
    getClass: () => undefined,
  } as unknown as ExecutionContext;
}

function requestOf(tenant: string | null): { context: RequestContext } {
  return { context: { caller: { account: 'acct_1', tenant } } as unknown as RequestContext };
}

/** A source that counts its lookups and answers from `deleted`. */
function countingSource(deleted: ReadonlySet<string>): DeletedTenants & { asked: number } {
  const source = {
    asked: 0,
    async isDeleted(_account: string, tenant: string): Promise<boolean> {
      source.asked += 1;
      return deleted.has(tenant);
    },
  };
  return source;
}

describe('DeletedTenantGuard', () => {
  it('answers at once, without a promise, once the verdict is remembered or the request was checked', async () => {
    const source = countingSource(new Set());
    const guard = new DeletedTenantGuard(new Reflector(), new CachedDeletedTenants(source));
    const first = requestOf('ten_live');
    // The first request asks the source: a promise.
    const asked = guard.canActivate(executionOf(first));
    expect(asked).toBeInstanceOf(Promise);
    await expect(asked).resolves.toBe(true);
    // The verdict is remembered: the next request of the tenant is answered at once.
    expect(guard.canActivate(executionOf(requestOf('ten_live')))).toBe(true);
    // Another service's guard on a request already checked: at once, nothing asked.
    expect(guard.canActivate(executionOf(first))).toBe(true);
    // A token without a tenant: at once.
    expect(guard.canActivate(executionOf(requestOf(null)))).toBe(true);
    expect(source.asked).toBe(1);
  });

  it('refuses a deleted tenant, asked or remembered (TENANT_DELETED)', async () => {
    const source = countingSource(new Set(['ten_gone']));
    const guard = new DeletedTenantGuard(new Reflector(), new CachedDeletedTenants(source));
    await expect(guard.canActivate(executionOf(requestOf('ten_gone')))).rejects.toMatchObject({ code: 'TENANT_DELETED' });
    expect(() => guard.canActivate(executionOf(requestOf('ten_gone')))).toThrow(expect.objectContaining({ code: 'TENANT_DELETED' }));
    expect(source.asked).toBe(1);
  });

  it('asks a source that remembers nothing on every request', async () => {
    const source = countingSource(new Set(['ten_gone']));
    const guard = new DeletedTenantGuard(new Reflector(), source);
    await expect(guard.canActivate(executionOf(requestOf('ten_live')))).resolves.toBe(true);
    await expect(guard.canActivate(executionOf(requestOf('ten_live')))).resolves.toBe(true);
    await expect(guard.canActivate(executionOf(requestOf('ten_gone')))).rejects.toMatchObject({ code: 'TENANT_DELETED' });
    expect(source.asked).toBe(3);
  });
});
