import { Inject, Injectable } from '@nestjs/common';
import { keyNotFound } from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, type Clock } from '@as2-partners/kernel';
import { AfterWrite, requestMetadata, requireTenant, type RequestContext } from '@as2-partners/platform';
import { OurKeystore } from '../../keystore/our-keystore';
import { SealedKeyStore } from '../../keystore/sealed-key.store';
import { KeyQueries } from '../../queries/key-views/key-queries';
import { KnownInstancesConsumer } from '../../reactions/as2-instances/known-instances.consumer';

/**
 * Deletes one of our keys, refused while an AS2 instance signs or decrypts with it (KEY_IN_USE); deleting a scheduled
 * next key cancels the rollover. Once the deletion is recorded the sealed blob is destroyed: the key is gone for good.
 */
@Injectable()
export class DeleteKeyHandler {
  constructor(
    private readonly keystore: OurKeystore,
    private readonly sealedKeys: SealedKeyStore,
    private readonly instances: KnownInstancesConsumer,
    @Inject(KeyQueries) private readonly queries: KeyQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(ctx: RequestContext, keyId: string): Promise<AfterWrite<void>> {
    const tenant = requireTenant(ctx);
    const doc = await this.queries.findVisible(ctx.caller.account, tenant, keyId);
    if (!doc) throw keyNotFound(keyId);
    const scope = { account: doc.account, tenant: doc.tenant, alias: doc.alias };
    const instances = await this.instances.usingAlias(scope.account, scope.tenant, scope.alias);
    const now = this.clock.now();
    const decision = await this.keystore.decide(scope, () => ({ type: 'delete', ...scope, keyId, instances, now: now.toISOString() }), requestMetadata(ctx, tenant, now));
    for (const event of decision.events) if (event.type === 'key.deleted.v1') await this.sealedKeys.destroy(event.data.sealedKey.blobId);
    return new AfterWrite(decision.position, () => undefined);
  }
}
