import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { authenticateBeforeBody, verifiedCallerOf } from './authenticate-before-body';
import type { Caller } from './caller';
import { AuthenticationFailedError, type JwtVerifier } from './jwt-verifier';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRES_TENANT } from './requires-tenant.decorator';
import { REQUIRED_ROLES, Roles } from './roles.decorator';

const caller: Caller = Object.freeze({ sub: 'alice', account: 'acme', tenant: 't1', roles: ['tenant_admin'] }) as Caller;

/** A handler as Nest registers it: the controller method's metadata copied onto it. */
function nestHandler(metadata: Record<string, unknown>, seen: (request: FastifyRequest) => void) {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    seen(request);
    return reply.send({ ok: true });
  };
  for (const [key, value] of Object.entries(metadata)) Reflect.defineMetadata(key, value, handler);
  return handler;
}

describe('authenticateBeforeBody: who calls, checked when a request arrives', () => {
  let fastify: FastifyInstance;
  let parsed: number;
  let callers: (Caller | undefined)[];
  let verify: jest.Mock<Promise<Caller>, [string]>;
  let remembered: Caller | undefined;

  beforeEach(async () => {
    parsed = 0;
    callers = [];
    remembered = undefined;
    verify = jest.fn(async (token: string) => {
      if (token === 'aaa.bbb.good') return caller;
      if (token === 'aaa.bbb.broken') throw new Error('the key source failed');
      if (token.startsWith('aaa.bbb.as-')) {
        const [account, tenant, role] = token.slice('aaa.bbb.as-'.length).split('-');
        return { sub: 'bob', account, tenant: tenant === 'none' ? null : tenant, roles: [role] } as unknown as Caller;
      }
      throw new AuthenticationFailedError('signature verification failed');
    });
    const verifier = { verify, rememberedCaller: () => remembered } as unknown as JwtVerifier;
    const deleted = { isDeleted: async (_account: string, tenant: string) => tenant === 'gone', knownVerdict: (_account: string, tenant: string) => (tenant === 'goneknown' ? true : undefined) };
    fastify = Fastify();
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
      parsed += 1;
      done(null, body);
    });
    authenticateBeforeBody(fastify, verifier, deleted);
    const seen = (request: FastifyRequest) => callers.push(verifiedCallerOf(request));
    fastify.post('/secured', nestHandler({ [METHOD_METADATA]: 1 }, seen));
    fastify.post('/public', nestHandler({ [METHOD_METADATA]: 1, [IS_PUBLIC]: true }, seen));
    fastify.post('/beside-nest', nestHandler({}, seen));
    fastify.post('/admins', nestHandler({ [METHOD_METADATA]: 1, [REQUIRED_ROLES]: ['account_admin'] }, seen));
    fastify.post('/accounts/:account/things', nestHandler({ [METHOD_METADATA]: 1 }, seen));
    fastify.post('/tenant-only', nestHandler({ [METHOD_METADATA]: 1, [REQUIRES_TENANT]: true }, seen));
    await fastify.ready();
  });
  afterEach(() => fastify.close());

  const post = (url: string, authorization?: string) => fastify.inject({ method: 'POST', url, headers: { 'content-type': 'text/plain', ...(authorization ? { authorization } : {}) }, payload: '{"name": ' });

  it('refuses a secured Nest route 401 without reading the body: no token, not a bearer JWT, a token refused', async () => {
    for (const authorization of [undefined, 'Basic YTpi', 'Bearer aaa.bbb.forged']) {
      const res = await post('/secured', authorization);
      expect([res.statusCode, res.json(), res.headers['www-authenticate']]).toEqual([401, { message: 'Unauthenticated.', error: { type: 'authentication_error', code: 'UNAUTHENTICATED' } }, 'Bearer realm="as2-partners"']);
    }
    expect(parsed).toBe(0);
    expect(callers).toEqual([]);
  });

  it('lets a valid token through with its caller kept for the guard, a remembered one without a verification', async () => {
    expect((await post('/secured', 'Bearer aaa.bbb.good')).statusCode).toBe(200);
    remembered = caller;
    expect((await post('/secured', 'Bearer aaa.bbb.other')).statusCode).toBe(200);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(callers).toEqual([caller, caller]);
    expect(parsed).toBe(2);
  });

  it('leaves public routes and routes beside Nest (which check their own tokens) to themselves', async () => {
    expect((await post('/public')).statusCode).toBe(200);
    expect((await post('/beside-nest')).statusCode).toBe(200);
    expect(verify).not.toHaveBeenCalled();
  });

  it('refuses 403 what the guards would refuse, before the body: a role the route does not take, another account, no tenant, a deleted tenant (known at once or asked)', async () => {
    const logged = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const codeOf = async (url: string, token: string) => {
      const res = await post(url, `Bearer aaa.bbb.as-${token}`);
      return `${url} ${token}: ${res.statusCode} ${res.statusCode === 200 ? '' : res.json().error.code}`;
    };
    expect([
      await codeOf('/admins', 'acme-t1-tenant_admin'),
      await codeOf('/admins', 'acme-gone-tenant_admin'),
      await codeOf('/admins', 'acme-none-account_admin'),
      await codeOf('/accounts/other/things', 'acme-t1-tenant_admin'),
      await codeOf('/accounts/acme/things', 'acme-t1-tenant_admin'),
      await codeOf('/tenant-only', 'acme-none-account_admin'),
      await codeOf('/tenant-only', 'acme-goneknown-tenant_admin'),
      await codeOf('/tenant-only', 'acme-gone-tenant_admin'),
      await codeOf('/secured', 'acme-gone-tenant_user'),
      await codeOf('/tenant-only', 'acme-t1-tenant_user'),
    ]).toEqual([
      '/admins acme-t1-tenant_admin: 403 FORBIDDEN',
      '/admins acme-gone-tenant_admin: 403 TENANT_DELETED',
      '/admins acme-none-account_admin: 200 ',
      '/accounts/other/things acme-t1-tenant_admin: 403 ACCOUNT_FORBIDDEN',
      '/accounts/acme/things acme-t1-tenant_admin: 200 ',
      '/tenant-only acme-none-account_admin: 403 TENANT_REQUIRED',
      '/tenant-only acme-goneknown-tenant_admin: 403 TENANT_DELETED',
      '/tenant-only acme-gone-tenant_admin: 403 TENANT_DELETED',
      '/secured acme-gone-tenant_user: 403 TENANT_DELETED',
      '/tenant-only acme-t1-tenant_user: 200 ',
    ]);
    expect(parsed).toBe(3);
    // Each refusal logged with its reason; a deleted tenant in the hot paths' words, however it was learnt.
    const reasons = logged.mock.calls.map(([line]) => (line as { reason?: string }).reason);
    logged.mockRestore();
    expect(reasons.filter((reason) => reason === 'the token names a deleted tenant')).toHaveLength(4);
    expect(reasons).toEqual(expect.arrayContaining(['the token has none of the roles the route takes (account_admin)']));
  });

  it("reads a controller's roles from each of its methods: the class's unless the method has its own", () => {
    class Controller {
      list(): string {
        return 'list';
      }
      @Roles('tenant_user')
      read(): string {
        return 'read';
      }
    }
    Roles('account_admin')(Controller);
    expect([Reflect.getMetadata(REQUIRED_ROLES, Controller.prototype.list), Reflect.getMetadata(REQUIRED_ROLES, Controller.prototype.read)]).toEqual([['account_admin'], ['tenant_user']]);
  });

  it("answers a fault of the token's check (not a refused token) with the house's 500, not Fastify's", async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const res = await post('/secured', 'Bearer aaa.bbb.broken');
    expect([res.statusCode, res.json().error.type]).toEqual([500, 'api_error']);
    expect(logged).toHaveBeenCalledTimes(1);
    logged.mockRestore();
    expect(parsed).toBe(0);
  });
});
