import { DomainError } from '@as2-partners/kernel';
import type { RequestContext } from './caller';
import { requireOwnAccount, requireTenant } from './caller-scope';

const ctxOf = (tenant: string | null): RequestContext => ({
  caller: { sub: 'u1', account: 'acc', tenant, roles: ['tenant_admin'] },
  correlationId: 'corr',
  requestId: 'req',
});

describe('caller scope checks', () => {
  it("requireTenant answers the caller's tenant, and refuses an account-level caller with TENANT_REQUIRED", () => {
    expect(requireTenant(ctxOf('ten'))).toBe('ten');
    expect(() => requireTenant(ctxOf(null))).toThrow(expect.objectContaining({ code: 'TENANT_REQUIRED' }) as DomainError);
  });

  it("requireOwnAccount answers the caller's own account, and refuses another one with ACCOUNT_FORBIDDEN", () => {
    expect(requireOwnAccount(ctxOf('ten'), 'acc')).toBe('acc');
    expect(() => requireOwnAccount(ctxOf('ten'), 'other')).toThrow(expect.objectContaining({ code: 'ACCOUNT_FORBIDDEN' }) as DomainError);
  });
});
