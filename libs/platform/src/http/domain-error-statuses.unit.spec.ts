import { domainErrorStatusOf, registerDomainErrorStatuses } from './domain-error-statuses';

describe('DomainError status registry', () => {
  it('answers the registered status, and nothing for an unknown code', () => {
    registerDomainErrorStatuses({ UNIT_PARTNER_NOT_FOUND: 404, UNIT_LIMIT: 402 });
    expect(domainErrorStatusOf('UNIT_PARTNER_NOT_FOUND')).toBe(404);
    expect(domainErrorStatusOf('UNIT_LIMIT')).toBe(402);
    expect(domainErrorStatusOf('UNIT_NEVER_REGISTERED')).toBeUndefined();
  });

  it('allows registering the same status twice (modules loaded twice in tests)', () => {
    registerDomainErrorStatuses({ UNIT_TWICE: 409 });
    expect(() => registerDomainErrorStatuses({ UNIT_TWICE: 409 })).not.toThrow();
  });

  it('refuses a conflicting status for a code', () => {
    registerDomainErrorStatuses({ UNIT_CONFLICT: 409 });
    expect(() => registerDomainErrorStatuses({ UNIT_CONFLICT: 422 })).toThrow('DomainError UNIT_CONFLICT is registered with status 409 and 422');
  });

  it.each([200, 500, 302, 404.5])('refuses a non-4xx status %p', (status) => {
    expect(() => registerDomainErrorStatuses({ UNIT_BAD_STATUS: status })).toThrow(/must be a 4xx code/);
  });
});

describe("the platform's own codes", () => {
  it('are 403 whichever services are loaded: a deleted tenant, a route needing a tenant, another account', () => {
    expect(['TENANT_DELETED', 'TENANT_REQUIRED', 'ACCOUNT_FORBIDDEN'].map(domainErrorStatusOf)).toEqual([403, 403, 403]);
  });
});
