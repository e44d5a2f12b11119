import { WriteModel, type EventMetadata, type SecretCollection, type SecretDocument, type SecretStore } from '@as2-partners/kernel';
import { InMemoryEventStore } from '@as2-partners/kernel-testing';
import { SecretSealer } from './secret-sealer';
import { TenantDataKeyStore, type TenantDataKeyDocument } from './tenant-data-key.store';
import { TenantSecrets } from './tenant-secrets';

/** Just the collection calls the key store makes, over a Map: what the embedded and Mongo secret stores do for them. */
function mapSecretStore(): SecretStore & { docs: Map<string, TenantDataKeyDocument> } {
  const docs = new Map<string, TenantDataKeyDocument>();
  const collection = {
    get: async (id: string) => docs.get(id) ?? null,
    put: async (doc: TenantDataKeyDocument) => void docs.set(doc._id, doc),
    delete: async (id: string) => void docs.delete(id),
    deleteMany: async (filter: { account: string; tenant: string }) => {
      const matching = [...docs.values()].filter((d) => d.account === filter.account && d.tenant === filter.tenant);
      matching.forEach((d) => docs.delete(d._id));
      return matching.length;
    },
  };
  return {
    docs,
    collection: <T extends SecretDocument>() => collection as unknown as SecretCollection<T>,
  };
}

const metadata: EventMetadata = {
  account: 'acc',
  tenant: 'ten',
  correlationId: 'c',
  causationId: null,
  actor: { type: 'user', id: 'u' },
  occurredAt: '2026-01-01T00:00:00.000Z',
};
const clock = { now: () => new Date('2026-01-01T00:00:00.000Z') };
const MASTER = { PARTNER_SECRETS_KEY: 'a'.repeat(64) };

describe('TenantSecrets', () => {
  let store: InMemoryEventStore;
  let readModels: ReturnType<typeof mapSecretStore>;
  // no key given: another process's random key, as a sealer without PARTNER_SECRETS_KEY had before a restart
  const sealerFor = (env: { PARTNER_SECRETS_KEY?: string }) =>
    env.PARTNER_SECRETS_KEY ? SecretSealer.withKey(Buffer.from(env.PARTNER_SECRETS_KEY, 'hex')) : SecretSealer.ephemeral();
  const secrets = (env: { PARTNER_SECRETS_KEY?: string } = MASTER) => new TenantSecrets(new WriteModel(store), clock, sealerFor(env), new TenantDataKeyStore(readModels));

  beforeEach(() => {
    store = new InMemoryEventStore();
    readModels = mapSecretStore();
  });

  it("seals a tenant's secret with the tenant's own data key, which only its id names", async () => {
    const s = secrets();
    const a = await s.seal('acc', 'ten', 'p4ssw0rd', metadata);
    const b = await s.seal('acc', 'other', 'p4ssw0rd', metadata);
    expect(a).toMatch(/^v2\.tdk_[0-9A-Z]{26}\./);
    expect(a).not.toContain('p4ssw0rd');
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    expect(await s.unseal(a)).toBe('p4ssw0rd');
    expect(await secrets().unseal(b)).toBe('p4ssw0rd');
    const stored = [...readModels.docs.values()];
    expect(stored.map((d) => d.tenant).sort()).toEqual(['other', 'ten']);
    expect(JSON.stringify(stored)).not.toContain(MASTER.PARTNER_SECRETS_KEY);
  });

  it('keeps account-level secrets and values sealed before tenants had keys on PARTNER_SECRETS_KEY', async () => {
    const legacy = SecretSealer.withKey(Buffer.from(MASTER.PARTNER_SECRETS_KEY, 'hex')).seal('old-password');
    expect(await secrets().unseal(legacy)).toBe('old-password');
    const master = await secrets().seal('acc', null, 'master-password', metadata);
    expect(master).toMatch(/^v1\./);
    expect(await secrets().unseal(master)).toBe('master-password');
    expect(readModels.docs.size).toBe(0);
  });

  it('destroys the key: what it sealed never unseals again, and the tenant seals nothing more', async () => {
    const s = secrets();
    const sealed = await s.seal('acc', 'ten', 'p4ssw0rd', metadata);
    const kept = await s.seal('acc', 'other', 'kept', metadata);
    await s.destroy('acc', 'ten', metadata);
    await expect(s.unseal(sealed)).rejects.toThrow('cannot be unsealed');
    await expect(s.seal('acc', 'ten', 'again', metadata)).rejects.toMatchObject({ code: 'TENANT_DELETED' });
    expect([...readModels.docs.values()].map((d) => d.tenant)).toEqual(['other']);
    expect(await s.unseal(kept)).toBe('kept');
    expect(await s.destroy('acc', 'ten', metadata)).toBeNull();
  });

  it('gives concurrent first seals of one tenant one key, and leaves no orphan key material', async () => {
    const processes = [secrets(), secrets(), secrets()];
    const sealed = await Promise.all(Array.from({ length: 12 }, (_, i) => processes[i % 3]!.seal('acc', 'ten', `secret-${i}`, metadata)));
    expect(new Set(sealed.map((v) => v.split('.')[1])).size).toBe(1);
    expect(await Promise.all(sealed.map((v) => secrets().unseal(v)))).toEqual(sealed.map((_, i) => `secret-${i}`));
    expect(readModels.docs.size).toBe(1);
  });

  it('replaces a key wrapped by another PARTNER_SECRETS_KEY (a per-process key before a restart) instead of failing', async () => {
    await secrets({}).seal('acc', 'ten', 'before', metadata);
    const after = await secrets().seal('acc', 'ten', 'after', metadata);
    expect(await secrets().unseal(after)).toBe('after');
    const keyEvents = await store.readStream('tenant_data_key-acc.ten');
    expect(keyEvents.map((e) => e.type)).toEqual(['tenant_data_key.created.v1', 'tenant_data_key.created.v1']);
  });
});
