import { Inject, Injectable, Logger } from '@nestjs/common';
import { As2Certificate, type As2KeyPair } from '@as2-partners/as2';
import {
  CertificateLifecycleStreams,
  decryptionKeysOf,
  keyAliasDecider,
  keyMaterialUnavailable,
  keyNotFound,
  signingKeyOf,
  type KeyAliasCommand,
  type KeyAliasScope,
  type KeyAliasState,
  type OurKeyEntry,
} from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, WriteModel, type Clock, type DecideOptions, type EventMetadata } from '@as2-partners/kernel';
import { recordedDeletionOf, type RequestContext } from '@as2-partners/platform';
import { KEY_SEALER, type KeySealer } from './key-sealer';
import { SealedKeyStore } from './sealed-key.store';

/** An unsealed key with its certificate, for one operation; never stored, logged or returned. */
export interface UnsealedKey {
  readonly keyId: string;
  readonly keyPair: As2KeyPair;
}

/** The write side of our keystores (a tenant's, or the account's: tenant null): alias streams, and unsealing a key for an operation inside this service. */
@Injectable()
export class OurKeystore {
  private readonly logger = new Logger('OurKeystore');

  constructor(
    private readonly writeModel: WriteModel,
    private readonly sealedKeys: SealedKeyStore,
    @Inject(KEY_SEALER) private readonly sealer: KeySealer,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async state(scope: KeyAliasScope): Promise<KeyAliasState> {
    return (await this.writeModel.load(CertificateLifecycleStreams.keyAlias(scope.account, scope.tenant, scope.alias), keyAliasDecider)).state;
  }

  decide(
    scope: KeyAliasScope,
    command: (state: KeyAliasState) => KeyAliasCommand | Promise<KeyAliasCommand>,
    metadata: EventMetadata,
    options?: Pick<DecideOptions<KeyAliasCommand>, 'attempts' | 'commandId'>,
  ) {
    return this.writeModel.decide(CertificateLifecycleStreams.keyAlias(scope.account, scope.tenant, scope.alias), keyAliasDecider, command, metadata, options);
  }

  /** Whether this request's command (its Idempotency-Key) already deleted a key of the alias: a retry after a crash. */
  async deletedByCommand(scope: KeyAliasScope, ctx: RequestContext): Promise<boolean> {
    return (await recordedDeletionOf(this.writeModel, CertificateLifecycleStreams.keyAlias(scope.account, scope.tenant, scope.alias), keyAliasDecider, ctx)) !== null;
  }

  async unseal(entry: OurKeyEntry): Promise<UnsealedKey> {
    const blob = await this.sealedKeys.get(entry.sealedKey.blobId);
    if (!blob) {
      this.logger.error(`Sealed key ${entry.sealedKey.blobId} of key ${entry.keyId} is missing from the sealed-key store`);
      throw keyMaterialUnavailable(entry.keyId);
    }
    const privateKey = this.sealer.unseal(blob, entry.sealedKey.sha256);
    // Its issuers too (an imported key's CA chain): what it signs carries them, so a partner trusting the root verifies.
    const chain = entry.certificate.chain.map((member) => As2Certificate.from(member.pem));
    return { keyId: entry.keyId, keyPair: { privateKey, certificate: As2Certificate.from(entry.certificate.pem), chain } };
  }

  /**
   * Where an alias resolves: a tenant's own keystore first, then the account's (keys an account admin holds for all
   * its tenants); an account-level scope (tenant null, an account-level AS2 instance) resolves in the account's only.
   */
  async resolve(scope: KeyAliasScope): Promise<KeyAliasState> {
    const own = await this.state(scope);
    if (scope.tenant === null || own.keys.length > 0) return own;
    return this.state({ ...scope, tenant: null });
  }

  /** The alias's current key: what signs (and first decrypts) for it now. */
  async signingKey(scope: KeyAliasScope): Promise<UnsealedKey> {
    const entry = signingKeyOf(await this.resolve(scope));
    if (!entry) throw keyNotFound(scope.alias);
    return this.unseal(entry);
  }

  /** The alias's current key, then the previous one while its overlap lasts (partners still encrypting to its certificate). */
  async decryptionKeys(scope: KeyAliasScope): Promise<UnsealedKey[]> {
    const entries = decryptionKeysOf(await this.resolve(scope), this.clock.now());
    if (entries.length === 0) throw keyNotFound(scope.alias);
    return Promise.all(entries.map((entry) => this.unseal(entry)));
  }
}
