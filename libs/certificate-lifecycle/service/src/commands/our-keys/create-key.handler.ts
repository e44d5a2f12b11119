import { Inject, Injectable } from '@nestjs/common';
import {
  assertKeyRolloverSchedulable,
  assertNewKeyAlias,
  assertNextKeyCoversWindow,
  duplicateKeyAlias,
  keyNotFound,
  toCertificateData,
  type KeyAliasCommand,
  type KeyAliasScope,
  type NewKey,
} from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, type Clock } from '@as2-partners/kernel';
import { AfterWrite, requestMetadata, type RequestContext, utcInstantOf } from '@as2-partners/platform';
import { newKeyId, newSealedKeyId } from '../../keystore/key-id';
import { generatedValidity } from '../../keystore/key-material';
import { KEY_SEALER, type KeySealer } from '../../keystore/key-sealer';
import type { KeystoreScope } from '../../keystore/keystore-scope';
import { OurKeystore } from '../../keystore/our-keystore';
import { SealedKeyStore } from '../../keystore/sealed-key.store';
import type { KeyViewDocument } from '../../queries/key-views/key-view.document';
import { KeyViewsProjection } from '../../queries/key-views/key-views.projection';
import { ExpiryEvaluator } from '../../schedules/expiry-notices/expiry-evaluator';
import { KeyAccess } from './key-access';
import { KeyMaterialQueue } from './key-material-queue';
import type { KeyRequestForm } from './key-request.form';

/**
 * Creates one of our keys (generated, or imported from PKCS#12 or PEM), as a new alias or as the scheduled successor of
 * an alias's current key. The private key is sealed into the sealed-key store before the event is appended; the event
 * names the blob only. A refused decision destroys the blob it sealed.
 */
@Injectable()
export class CreateKeyHandler {
  private readonly materials = new KeyMaterialQueue();

  constructor(
    private readonly keystore: OurKeystore,
    private readonly sealedKeys: SealedKeyStore,
    @Inject(KEY_SEALER) private readonly sealer: KeySealer,
    private readonly expiry: ExpiryEvaluator,
    private readonly access: KeyAccess,
    @Inject(KeyViewsProjection) private readonly views: KeyViewsProjection,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A new alias in the keystore the route names: the caller tenant's, or the account's (tenant null). */
  async create(ctx: RequestContext, keystore: KeystoreScope, form: KeyRequestForm): Promise<AfterWrite<KeyViewDocument>> {
    const scope: KeyAliasScope = { account: keystore.account, tenant: keystore.tenant, alias: assertNewKeyAlias(form.alias) };
    // Checked before a 4096-bit key is generated for nothing; the decider checks again under the stream's revision. A
    // retry's own first key (its command id's) is no duplicate: it is the answer.
    const ownKeyId = ctx.commandId === undefined ? null : newKeyId(ctx.commandId);
    if ((await this.keystore.state(scope)).keys.some((key) => key.keyId !== ownKeyId)) throw duplicateKeyAlias(scope.alias);
    return this.store(ctx, scope, form, this.clock.now(), (key, now) => ({ type: 'create', ...scope, key, now }));
  }

  /** Only a key of the caller's own keystore rolls over: a tenant reads the account's keys, it does not replace them. */
  async rollover(ctx: RequestContext, keystore: KeystoreScope, currentKeyId: string, form: KeyRequestForm): Promise<AfterWrite<KeyViewDocument>> {
    const current = await this.access.writable(keystore, currentKeyId);
    const activateAt = utcInstantOf(form.activateAt, 'activate_at', 'ROLLOVER_WINDOW_INVALID');
    const overlapUntil = utcInstantOf(form.overlapUntil, 'overlap_until', 'ROLLOVER_WINDOW_INVALID');
    const scope: KeyAliasScope = { account: current.account, tenant: current.tenant, alias: current.alias };
    // A window refused whatever the key is, or one a key to generate would not cover (its validity is known before it
    // is made), is refused before a key pair is generated for nothing (seconds of a keystore's queue).
    const now = this.clock.now();
    assertKeyRolloverSchedulable(await this.keystore.state(scope), currentKeyId, activateAt, overlapUntil, now.toISOString());
    if (form.source.kind === 'generate') {
      const { notBefore, notAfter } = generatedValidity(now, form.source.validDays);
      assertNextKeyCoversWindow({ notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString() }, activateAt, overlapUntil);
    }
    return this.store(ctx, scope, form, now, (key, at) => ({ type: 'schedule_rollover', ...scope, currentKeyId, key, activateAt, overlapUntil, now: at }));
  }

  private async store(
    ctx: RequestContext,
    scope: KeyAliasScope,
    form: KeyRequestForm,
    /** When the key is made: a generated certificate's validity starts then. */
    now: Date,
    command: (key: NewKey, now: string) => KeyAliasCommand,
  ): Promise<AfterWrite<KeyViewDocument>> {
    const keyId = newKeyId(ctx.commandId);
    const metadata = requestMetadata(ctx, scope.tenant, now);
    let key: NewKey | null = null;
    // Made and sealed once, when the command is first decided: a retry (same command id) whose first attempt was stored
    // answers that key, and never makes a second key pair.
    const keyOnce = async (): Promise<NewKey> => {
      if (key) return key;
      const material = await this.materials.materialFor(scope, form.source, now);
      const sealed = this.sealer.seal({ account: scope.account, tenant: scope.tenant, keyId }, material.privateKey, newSealedKeyId(), now);
      await this.sealedKeys.put(sealed.document);
      key = { keyId, source: form.source.kind === 'generate' ? 'generated' : form.source.kind, certificate: toCertificateData(material.certificate), sealedKey: sealed.reference };
      return key;
    };
    let position: number | null;
    try {
      // A concurrent create of the same alias is re-decided against the winner's key: DUPLICATE_KEY_ALIAS, never two keys.
      const options = ctx.commandId === undefined ? undefined : { commandId: ctx.commandId };
      position = (await this.keystore.decide(scope, async () => command(await keyOnce(), now.toISOString()), metadata, options)).position;
    } catch (error) {
      const made = key as NewKey | null;
      if (made) await this.sealedKeys.destroy(made.sealedKey.blobId);
      throw error;
    }
    position = (await this.expiry.evaluateKeyAlias(scope, now, metadata)) ?? position;
    return new AfterWrite(position, async () => {
      const view = await this.views.keys.get(keyId);
      // Deleted right after this write: gone, as any read of it now says.
      if (!view) throw keyNotFound(keyId);
      return view;
    });
  }
}
