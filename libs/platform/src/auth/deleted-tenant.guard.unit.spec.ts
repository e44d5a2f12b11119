import type { ExecutionContext } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Reflector } from '@nestjs/core';
import type { RequestContext } from './caller';
import { CachedDeletedTenants } from './cached-deleted-tenants';
import { ClosesTenant, DeletedTenantGuard, entityGatesOf, type DeletedTenants } from './deleted-tenant.guard';
import { as2InstanceGate, partnerGate, tenantGate, WriteGates } from './write-gates';

/** A route handler, as Nest names one to the guard: `closes` marks it as the tenant deletion's. */
function handlerOf(closes: boolean): () => void {
  const handler = () => undefined;
  if (closes) ClosesTenant()(handler, 'delete', { value: handler });
  return handler;
}

/** A response that says when it is sent (`send()`), as a ServerResponse does with 'finish'. */
function responseOf(): ServerResponse & { send(): void } {
  const response = Object.assign(new EventEmitter(), { writableFinished: false, destroyed: false }) as unknown as ServerResponse & { send(): void };
  response.send = () => {
    Object.assign(response, { writableFinished: true });
    response.emit('finish');
    response.emit('close');
  };
  return response;
}

/** An HTTP execution whose request carries the caller of `tenant` (null: a token without a tenant claim). */
function executionOf(request: { context?: RequestContext; method?: string; params?: object; query?: object; body?: unknown }, response: ServerResponse = responseOf(), closes = false): ExecutionContext {
  const handler = handlerOf(closes);
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({ raw: response }) }),
    getHandler: () => handler,
    getClass: () => undefined,
  } as unknown as ExecutionContext;
}

function requestOf(tenant: string | null, method = 'GET', params: object = {}): { context: RequestContext; method: string; params: object } {
  return { context: { caller: { account: 'acct_1', tenant } } as unknown as RequestContext, method, params };
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

  it("refuses a gateway token of every account whose tenant claim names a deleted tenant of the account the request names (?account= or the body's)", async () => {
    const asked: string[] = [];
    const source: DeletedTenants = { isDeleted: async (account, tenant) => (asked.push(`${account}/${tenant}`), account === 'acme' && tenant === 't3') };
    const guard = new DeletedTenantGuard(new Reflector(), source);
    const everyAccount = (extra: object) => ({ context: { caller: { account: '*', tenant: 't3' } } as unknown as RequestContext, method: 'GET', params: {}, ...extra });
    await expect(guard.canActivate(executionOf(everyAccount({ query: { account: 'acme' } })))).rejects.toMatchObject({ code: 'TENANT_DELETED' });
    await expect(guard.canActivate(executionOf(everyAccount({ method: 'POST', body: { account: 'acme', tenant: null } })))).rejects.toMatchObject({ code: 'TENANT_DELETED' });
    // Another account's t3 lives on; naming no account is the route's to refuse (ACCOUNT_REQUIRED).
    await expect(guard.canActivate(executionOf(everyAccount({ query: { account: 'beta' } })))).resolves.toBe(true);
    await expect(guard.canActivate(executionOf(everyAccount({})))).resolves.toBe(true);
    expect(asked).toEqual(['acme/t3', 'acme/t3', 'beta/t3', '*/t3']);
  });

  it('asks a source that remembers nothing on every request', async () => {
    const source = countingSource(new Set(['ten_gone']));
    const guard = new DeletedTenantGuard(new Reflector(), source);
    await expect(guard.canActivate(executionOf(requestOf('ten_live')))).resolves.toBe(true);
    await expect(guard.canActivate(executionOf(requestOf('ten_live')))).resolves.toBe(true);
    await expect(guard.canActivate(executionOf(requestOf('ten_gone')))).rejects.toMatchObject({ code: 'TENANT_DELETED' });
    expect(source.asked).toBe(3);
  });

  describe("a tenant's writes and its deletion", () => {
    /** A source whose verdicts a spec sets. */
    const settable = () => {
      const deleted = new Set<string>();
      return { deleted, source: { isDeleted: async (_account: string, tenant: string) => deleted.has(tenant) } };
    };

    it('lets a write in at once, without a promise, and out once answered; a read does not enter', () => {
      const gates = new WriteGates();
      const guard = new DeletedTenantGuard(new Reflector(), new CachedDeletedTenants(settable().source), gates);
      const checked = guard.canActivate(executionOf(requestOf('ten_a')));
      return Promise.resolve(checked).then(() => {
        expect(gates.writersOf(tenantGate('acct_1', 'ten_a'))).toBe(0);
        const response = responseOf();
        expect(guard.canActivate(executionOf(requestOf('ten_a', 'POST'), response))).toBe(true);
        expect(gates.writersOf(tenantGate('acct_1', 'ten_a'))).toBe(1);
        response.send();
        response.emit('close');
        expect(gates.writersOf(tenantGate('acct_1', 'ten_a'))).toBe(0);
      });
    });

    it('runs a deletion once the writes inside have been answered, and refuses one that came meanwhile TENANT_DELETED after it', async () => {
      const gates = new WriteGates();
      const { deleted, source } = settable();
      const guard = new DeletedTenantGuard(new Reflector(), source, gates);
      const inside = responseOf();
      await expect(guard.canActivate(executionOf(requestOf('ten_b', 'POST'), inside))).resolves.toBe(true);
      const deletion = responseOf();
      const closing = guard.canActivate(executionOf(requestOf(null, 'DELETE', { account: 'acct_1', tenant: 'ten_b' }), deletion, true)) as Promise<boolean>;
      let closed = false;
      void closing.then(() => (closed = true));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(closed).toBe(false);
      // A write arriving now waits for the deletion, whatever it began before.
      const lateResponse = responseOf();
      const late = guard.canActivate(executionOf(requestOf('ten_b', 'PATCH'), lateResponse));
      expect(late).toBeInstanceOf(Promise);
      inside.send();
      await expect(closing).resolves.toBe(true);
      deleted.add('ten_b');
      deletion.send();
      await expect(late).rejects.toMatchObject({ code: 'TENANT_DELETED' });
      // It leaves once its refusal is sent.
      expect(gates.writersOf(tenantGate('acct_1', 'ten_b'))).toBe(1);
      lateResponse.send();
      expect(gates.writersOf(tenantGate('acct_1', 'ten_b'))).toBe(0);
      // Another tenant's writes never waited.
      expect(guard.canActivate(executionOf(requestOf('ten_c', 'POST')))).toBeInstanceOf(Promise);
    });

    it("does not wait for a write inside longer than it may (a connection test's seconds)", async () => {
      jest.useFakeTimers();
      try {
        const gates = new WriteGates();
        await Promise.resolve(gates.enter(tenantGate('acct_1', 'ten_d')));
        const closing = gates.close(tenantGate('acct_1', 'ten_d'), 5_000);
        await jest.advanceTimersByTimeAsync(5_000);
        const reopen = await closing;
        reopen();
        expect(gates.writersOf(tenantGate('acct_1', 'ten_d'))).toBe(1);
      } finally {
        jest.useRealTimers();
      }
    });
  });
});

describe('entityGatesOf: the gates a write enters or closes, by its route', () => {
  it.each([
    ['PATCH', '/v1/partners/:id', { enter: ['partner'], close: null }],
    ['POST', '/v1/partners/:id/certificates', { enter: ['partner'], close: null }],
    ['PUT', '/v1/partners/:id/traffic/incoming', { enter: ['partner'], close: null }],
    ['DELETE', '/v1/partners/:id/overrides', { enter: ['partner'], close: null }],
    ['DELETE', '/v1/partners/:id', { enter: [], close: 'partner' }],
    ['DELETE', '/v1/accounts/:account/partners/:id', { enter: [], close: 'partner' }],
    ['PUT', '/v1/accounts/:account/partners/:id/traffic/outgoing', { enter: ['partner'], close: null }],
    ['DELETE', '/v1/as2-instances/:id', { enter: [], close: 'as2-instance' }],
    ['PATCH', '/v1/as2-instances/:id', { enter: ['as2-instance'], close: null }],
    ['POST', '/v1/partners', { enter: [], close: null }],
    ['POST', '/v1/partnerships', { enter: [], close: null }],
    ['DELETE', '/v1/partnerships/:id', { enter: [], close: null }],
    ['PATCH', '/v1/partners-archive/:id', { enter: [], close: null }],
  ])('%s %s', (method, url, expected) => {
    const gates = entityGatesOf(method, url, { id: 'prt_1', account: 'acct_1' }, 'acct_1', {});
    const kind = (gate: string) => gate.split('\u0000')[0];
    expect({ enter: gates.enter.map(kind), close: gates.close === null ? null : kind(gates.close) }).toEqual(expected);
    if (gates.close !== null) expect(gates.close).toBe(expected.close === 'partner' ? partnerGate('acct_1', 'prt_1') : as2InstanceGate('acct_1', 'prt_1'));
  });
});

describe('entityGatesOf: what a write names in its body', () => {
  const kinds = (gates: { enter: readonly string[] }) => gates.enter.map((gate) => gate.split('\u0000').slice(0, 1).concat(gate.split('\u0000').slice(2)).join(':'));

  it('enters the gates of the instance and partner a partnership names, the instance a station names, the key alias an instance names', () => {
    expect(kinds(entityGatesOf('POST', '/v1/partnerships', undefined, 'acct_1', { as2_instance_id: 'ins_1', partner_id: 'prt_1' }))).toEqual(['as2-instance:ins_1', 'partner:prt_1']);
    expect(kinds(entityGatesOf('PATCH', '/v1/stations/:id', { id: 'stn_1' }, 'acct_1', { as2_instance_id: 'ins_2' }))).toEqual(['as2-instance:ins_2']);
    expect(kinds(entityGatesOf('POST', '/v1/as2-instances', undefined, 'acct_1', { my_as2_alias: 'signing' }))).toEqual(['key-alias:signing']);
    expect(kinds(entityGatesOf('PATCH', '/v1/as2-instances/:id', { id: 'ins_3' }, 'acct_1', { my_as2_alias: 'signing' }))).toEqual(['key-alias:signing', 'as2-instance:ins_3']);
  });

  it('names nothing for a body without those fields or with other types there, and never for a DELETE', () => {
    expect(entityGatesOf('POST', '/v1/partnerships', undefined, 'acct_1', { as2_instance_id: 7, partner_id: ['x'] }).enter).toEqual([]);
    expect(entityGatesOf('PATCH', '/v1/stations/:id', { id: 'stn_1' }, 'acct_1', { as2_instance_id: null }).enter).toEqual([]);
    expect(entityGatesOf('POST', '/v1/stations', undefined, 'acct_1', [{ as2_instance_id: 'ins_1' }]).enter).toEqual([]);
    expect(entityGatesOf('DELETE', '/v1/stations/:id', { id: 'stn_1' }, 'acct_1', { as2_instance_id: 'ins_1' }).enter).toEqual([]);
  });
});
