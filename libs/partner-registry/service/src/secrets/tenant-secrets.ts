import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, type EventMetadata, WriteModel } from '@as2-partners/kernel';
import { PartnerRegistryStreams, tenantDataKeyDecider, tenantDeleted } from '@as2-partners/partner-registry-domain';
import { monotonicFactory } from 'ulid';
import { dataKeyIdOf, sealWithDataKey, unsealWithDataKey } from './data-key-seal';
import { SECRET_SEALER, type SecretSealer } from './secret-sealer';
import { TenantDataKeyStore, type TenantDataKeyDocument } from './tenant-data-key.store';

const nextUlid = monotonicFactory();
const KEY_BYTES = 32;

/**
 * Seals each tenant's secrets with the tenant's own data key, wrapped by PARTNER_SECRETS_KEY, so deleting the tenant
 * can crypto-shred them by destroying one key. Account-level secrets (master partners) and values sealed before
 * tenants had keys (`v1`) use PARTNER_SECRETS_KEY itself.
 */
@Injectable()
export class TenantSecrets {
  constructor(
    private readonly writeModel: WriteModel,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SECRET_SEALER) private readonly master: SecretSealer,
    @Inject(TenantDataKeyStore) private readonly keys: TenantDataKeyStore,
  ) {}

  /** `tenant` null: an account-level secret. A deleted tenant's secrets are refused with TENANT_DELETED. */
  async seal(account: string, tenant: string | null, plaintext: string, metadata: EventMetadata): Promise<string> {
    if (tenant === null) return this.master.seal(plaintext);
    const { keyId, key } = await this.currentKey(account, tenant, metadata);
    return sealWithDataKey(keyId, key, randomBytes(12), plaintext);
  }

  /** What a consumer holding PARTNER_SECRETS_KEY and the key store does to read a secret; throws once its key is destroyed. */
  async unseal(sealed: string): Promise<string> {
    const keyId = dataKeyIdOf(sealed);
    if (keyId === null) return this.master.unseal(sealed);
    const stored = await this.keys.get(keyId);
    if (!stored) throw new Error(`Data key ${keyId} does not exist (destroyed with its tenant): the secret cannot be unsealed`);
    return unsealWithDataKey(this.unwrap(stored), sealed);
  }

  /** Records the key destroyed first (no key is ever made for the tenant again), then erases its material. Idempotent. */
  async destroy(account: string, tenant: string, metadata: EventMetadata): Promise<number | null> {
    const result = await this.writeModel.decide(PartnerRegistryStreams.tenantDataKey(account, tenant),
      tenantDataKeyDecider,
      () => ({ type: 'destroy_data_key' as const, account, tenantId: tenant, now: this.clock.now().toISOString() }),
      metadata,
    );
    await this.keys.destroyAllOf(account, tenant);
    return result.position;
  }

  private async currentKey(account: string, tenant: string, metadata: EventMetadata): Promise<{ keyId: string; key: Buffer }> {
    const stream = PartnerRegistryStreams.tenantDataKey(account, tenant);
    const { state } = await this.writeModel.load(stream, tenantDataKeyDecider);
    if (state.status === 'destroyed') throw tenantDeleted(tenant);
    if (state.status === 'active') {
      const key = await this.usableKey(state.keyId);
      if (key) return { keyId: state.keyId, key };
    }
    // Material is stored before the key is recorded, so a recorded key always has material (until it is destroyed).
    const keyId = `tdk_${nextUlid()}`;
    const key = randomBytes(KEY_BYTES);
    const now = this.clock.now().toISOString();
    await this.keys.put({ _id: keyId, account, tenant, wrappedKey: this.master.seal(key.toString('base64')), createdAt: now });
    const replacing = state.status === 'active' ? state.keyId : null;
    try {
      const result = await this.writeModel.decide(stream,
        tenantDataKeyDecider,
        () => ({ type: 'create_data_key' as const, account, tenantId: tenant, keyId, replacing, now }),
        metadata,
      );
      if (result.events.length > 0) return { keyId, key };
      const winner = result.state.status === 'active' ? await this.usableKey(result.state.keyId) : null;
      if (result.state.status !== 'active' || !winner) throw new Error(`The data key of tenant ${tenant} changed while sealing: retry`);
      await this.keys.delete(keyId);
      return { keyId: result.state.keyId, key: winner };
    } catch (error) {
      await this.keys.delete(keyId);
      throw error;
    }
  }

  /**
   * Whether PARTNER_SECRETS_KEY opens the tenant data keys stored: true when one of the latest opens (or none is stored).
   * The latest only: a key left by an earlier per-process key may stay unopenable for good, and is replaced when used.
   */
  async opensStoredKeys(sample = 20): Promise<boolean> {
    const latest = await this.keys.latest(sample);
    return latest.length === 0 || latest.some((stored) => this.opens(stored));
  }

  private opens(stored: TenantDataKeyDocument): boolean {
    try {
      this.unwrap(stored);
      return true;
    } catch {
      return false;
    }
  }

  /** null when the material is gone or was wrapped by another PARTNER_SECRETS_KEY (e.g. a per-process key before a restart). */
  private async usableKey(keyId: string): Promise<Buffer | null> {
    const stored = await this.keys.get(keyId);
    if (!stored) return null;
    try {
      return this.unwrap(stored);
    } catch {
      return null;
    }
  }

  private unwrap(stored: TenantDataKeyDocument): Buffer {
    const key = Buffer.from(this.master.unseal(stored.wrappedKey), 'base64');
    if (key.length !== KEY_BYTES) throw new Error(`Data key ${stored._id} is malformed`);
    return key;
  }
}
