import { Inject, Injectable } from '@nestjs/common';
import type { RecordedEvent } from '@as2-partners/kernel';
import { systemMetadata } from '@as2-partners/platform';
import { OurKeystore } from '../../keystore/our-keystore';
import { SealedKeyStore } from '../../keystore/sealed-key.store';
import { KeyViewsProjection } from '../../queries/key-views/key-views.projection';

const PAGE = 200;

/**
 * A deleted tenant's keys are shredded: `key.deleted.v1` (reason `tenant_deleted`) for every key of every alias, then
 * each sealed blob is destroyed, so no copy of the data (a backup, a replica) can ever sign as that tenant again.
 * Idempotent: a redelivery finds no key left.
 */
@Injectable()
export class TenantKeysShredder {
  constructor(
    private readonly keystore: OurKeystore,
    private readonly sealedKeys: SealedKeyStore,
    @Inject(KeyViewsProjection) private readonly views: KeyViewsProjection,
  ) {}

  async shred(account: string, tenant: string, cause: RecordedEvent): Promise<number> {
    const aliases = new Set<string>();
    for (let skip = 0; ; skip += PAGE) {
      const page = await this.views.keys.find({ filter: { account, tenant }, sort: { _id: 1 }, skip, limit: PAGE });
      for (const doc of page.items) aliases.add(doc.alias);
      if (page.items.length < PAGE) break;
    }
    let shredded = 0;
    for (const alias of aliases) {
      const scope = { account, tenant, alias };
      const metadata = { ...systemMetadata({ account, tenant }, { type: 'service', id: 'certificate-lifecycle' }, new Date()), causationId: cause.id, correlationId: cause.metadata.correlationId };
      const decision = await this.keystore.decide(scope, () => ({ type: 'shred_for_deleted_tenant', ...scope, now: metadata.occurredAt }), metadata);
      for (const event of decision.events) {
        if (event.type !== 'key.deleted.v1') continue;
        await this.sealedKeys.destroy(event.data.sealedKey.blobId);
        shredded++;
      }
    }
    return shredded;
  }
}
