import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@as2-partners/kernel';
import { AfterWrite, requestMetadata, type RequestContext } from '@as2-partners/platform';
import type { KeystoreScope } from '../../keystore/keystore-scope';
import { OurKeystore } from '../../keystore/our-keystore';
import { SealedKeyStore } from '../../keystore/sealed-key.store';
import { KeyAccess } from './key-access';

/**
 * Deletes one of our keys, refused while an AS2 instance signs or decrypts with it (KEY_IN_USE) and, for a tenant, when
 * the key is the account's (INHERITED_KEY_READ_ONLY); deleting a scheduled next key cancels the rollover. Once the
 * deletion is recorded the sealed blob is destroyed: the key is gone for good.
 */
@Injectable()
export class DeleteKeyHandler {
  constructor(
    private readonly keystore: OurKeystore,
    private readonly sealedKeys: SealedKeyStore,
    private readonly access: KeyAccess,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(ctx: RequestContext, keystore: KeystoreScope, keyId: string): Promise<AfterWrite<{ deletedAt: string }>> {
    const doc = await this.access.writable(keystore, keyId);
    const scope = { account: doc.account, tenant: doc.tenant, alias: doc.alias };
    const instances = await this.access.usedBy(scope);
    const now = this.clock.now();
    const decision = await this.keystore.decide(scope, () => ({ type: 'delete', ...scope, keyId, instances, now: now.toISOString() }), requestMetadata(ctx, scope.tenant, now));
    for (const event of decision.events) if (event.type === 'key.deleted.v1') await this.sealedKeys.destroy(event.data.sealedKey.blobId);
    return new AfterWrite(decision.position, () => ({ deletedAt: now.toISOString() }));
  }
}
