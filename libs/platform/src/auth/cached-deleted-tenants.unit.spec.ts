import { CachedDeletedTenants, DELETED_TENANT_VERDICT_TTL_MS } from './cached-deleted-tenants';

describe('CachedDeletedTenants', () => {
  const setup = () => {
    const deleted = new Set<string>();
    let lookups = 0;
    let clock = 0;
    const cache = new CachedDeletedTenants(
      {
        isDeleted: async (account, tenant) => {
          lookups += 1;
          return deleted.has(`${account}|${tenant}`);
        },
      },
      () => clock,
    );
    return { cache, deleted, lookups: () => lookups, advance: (ms: number) => (clock += ms) };
  };

  it('asks the source once per tenant while the verdict is fresh', async () => {
    const { cache, lookups } = setup();
    for (let i = 0; i < 5; i += 1) expect(await cache.isDeleted('a', 't1')).toBe(false);
    expect(await cache.isDeleted('a', 't2')).toBe(false);
    expect(await cache.isDeleted('b', 't1')).toBe(false);
    expect(lookups()).toBe(3);
  });

  it('knownVerdict answers without waiting only while a verdict is fresh and not forgotten', async () => {
    const { cache, deleted, advance } = setup();
    expect(cache.knownVerdict('a', 't1')).toBeUndefined();
    deleted.add('a|t1');
    expect(await cache.isDeleted('a', 't1')).toBe(true);
    expect(cache.knownVerdict('a', 't1')).toBe(true);
    expect(cache.knownVerdict('a', 't2')).toBeUndefined();
    advance(DELETED_TENANT_VERDICT_TTL_MS);
    expect(cache.knownVerdict('a', 't1')).toBeUndefined();
    expect(await cache.isDeleted('a', 't1')).toBe(true);
    cache.forget('a', 't1');
    expect(cache.knownVerdict('a', 't1')).toBeUndefined();
  });

  it('a forgotten tenant (its tenant event applied) is asked again at once', async () => {
    const { cache, deleted } = setup();
    expect(await cache.isDeleted('a', 't1')).toBe(false);
    deleted.add('a|t1');
    expect(await cache.isDeleted('a', 't1')).toBe(false);
    cache.forget('a', 't1');
    expect(await cache.isDeleted('a', 't1')).toBe(true);
  });

  it('a verdict expires, so a replica that was not told learns a deletion within the TTL', async () => {
    const { cache, deleted, advance } = setup();
    expect(await cache.isDeleted('a', 't1')).toBe(false);
    deleted.add('a|t1');
    advance(DELETED_TENANT_VERDICT_TTL_MS - 1);
    expect(await cache.isDeleted('a', 't1')).toBe(false);
    advance(1);
    expect(await cache.isDeleted('a', 't1')).toBe(true);
  });
});
