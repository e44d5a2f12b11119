import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InvalidConfigurationError } from '@as2-partners/platform';
import { KEY_SEALER, type KeySealer } from './key-sealer';
import { KEYSTORE_MASTER_KEY_FILE } from './keystore-master-key';
import { SealedKeyStore } from './sealed-key.store';

/**
 * A start with another master key than the one that sealed the stored private keys stops, naming the variable: else it
 * came up ready and every signature, decryption and CSR answered 500 until someone read the log.
 */
@Injectable()
export class MasterKeyCheck implements OnApplicationBootstrap {
  constructor(
    @Inject(KEY_SEALER) private readonly sealer: KeySealer,
    private readonly sealedKeys: SealedKeyStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const needed = await this.sealedKeys.sealedWithAnotherKey(this.sealer.masterKeyId);
    if (needed === null) return;
    throw new InvalidConfigurationError(
      'KEYSTORE_MASTER_KEY',
      `is not the key that sealed the stored private keys (they need the master key with id ${needed}, this one is ${this.sealer.masterKeyId}): give that key, or its file ${KEYSTORE_MASTER_KEY_FILE} in DATA_DIR`,
    );
  }
}
