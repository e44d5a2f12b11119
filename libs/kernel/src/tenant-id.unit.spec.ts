import { ACCOUNT_LEVEL_TENANT, isTenantId, TENANT_ID_PATTERN } from './tenant-id';

describe('tenant ids', () => {
  it('are 1-64 letters, digits, hyphens or underscores', () => {
    for (const id of ['t1', 'A-b_c', '-', '_', 'x'.repeat(64), '_accounts', 'account']) expect([id, isTenantId(id)]).toEqual([id, true]);
    for (const id of ['', 'x'.repeat(65), 'a.b', 'a b', 'a|b', 'é', 'a\n']) expect([id, isTenantId(id)]).toEqual([id, false]);
  });

  it("never the account's stand-in, in the pattern the request fields check as well", () => {
    expect(isTenantId(ACCOUNT_LEVEL_TENANT)).toBe(false);
    expect(TENANT_ID_PATTERN.test(ACCOUNT_LEVEL_TENANT)).toBe(false);
    expect(new RegExp(TENANT_ID_PATTERN.source).test(ACCOUNT_LEVEL_TENANT)).toBe(false);
  });
});
