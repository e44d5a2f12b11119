import { Inject, Injectable } from '@nestjs/common';
import type { KeyAliasScope } from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, type Clock } from '@as2-partners/kernel';
import { AfterWrite, commandOf, keyAliasGate, requestMetadata, type RequestContext, WRITE_GATES } from '@as2-partners/platform';
import type { KeystoreScope } from '../../keystore/keystore-scope';
import { OurKeystore } from '../../keystore/our-keystore';
import { SealedKeyStore } from '../../keystore/sealed-key.store';
import { KeyQueries } from '../../queries/key-views/key-queries';
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
    @Inject(KeyQueries) private readonly queries: KeyQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(ctx: RequestContext, keystore: KeystoreScope, keyId: string): Promise<AfterWrite<{ deletedAt: string }>> {
    const scope = (await this.scopeOfRecordedDeletion(ctx, keystore, keyId)) ?? (await this.access.writable(keystore, keyId));
    // Once the writes of AS2 instances naming the alias have been answered (and so are in the view `usedBy` reads), with
    // those coming meanwhile held until this one is: the key is in use, or no instance stored before named it.
    return WRITE_GATES.closed(keyAliasGate(scope.account, scope.alias), () => this.deleteOf(ctx, scope, keyId));
  }

  private async deleteOf(ctx: RequestContext, scope: KeyAliasScope, keyId: string): Promise<AfterWrite<{ deletedAt: string }>> {
    const alias = { account: scope.account, tenant: scope.tenant, alias: scope.alias };
    const now = this.clock.now();
    const decision = await this.keystore.decide(
      alias,
      async () => {
        const users = await this.access.usedBy(alias);
        return { type: 'delete', ...alias, keyId, instances: users.named, instancesTotal: users.total, now: now.toISOString() };
      },
      requestMetadata(ctx, alias.tenant, now),
      commandOf(ctx),
    );
    // A retry's decision is the first attempt's: it destroys the blob that attempt may not have reached, and answers its deleted_at.
    let deletedAt = now.toISOString();
    for (const event of decision.events) {
      if (event.type !== 'key.deleted.v1') continue;
      await this.sealedKeys.destroy(event.data.sealedKey.blobId);
      deletedAt = event.data.deletedAt;
    }
    return new AfterWrite(decision.position, () => ({ deletedAt }));
  }

  /**
   * The alias of a key of this keystore that this request's command already deleted (a retry with the same
   * Idempotency-Key after a crash between the deletion and the answer), null otherwise: the retry then answers as the
   * first attempt did, instead of 404.
   */
  private async scopeOfRecordedDeletion(ctx: RequestContext, keystore: KeystoreScope, keyId: string): Promise<KeyAliasScope | null> {
    if (ctx.commandId === undefined) return null;
    const deleted = await this.queries.findDeleted(keystore, keyId);
    if (!deleted) return null;
    const scope = { account: deleted.account, tenant: deleted.tenant, alias: deleted.alias };
    return (await this.keystore.deletedByCommand(scope, ctx)) ? scope : null;
  }
}
