import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InvalidConfigurationError } from '@as2-partners/platform';
import { KEY_SEALER, type KeySealer } from './key-sealer';
import { KEYSTORE_MASTER_KEY_FILE } from './keystore-master-key';
import { SealedKeyStore } from './sealed-key.store';

/**
 * Checked at module init, before any bootstrap hook starts a projection, a scheduler or a consumer: a refused start
 * touches no store. A start with another master key than the one that sealed the stored private keys stops, naming the variable: else it
 * came up ready and every signature, decryption and CSR answered 500 until someone read the log.
 */
@Injectable()
export class MasterKeyCheck implements OnModuleInit {
  constructor(
    @Inject(KEY_SEALER) private readonly sealer: KeySealer,
    private readonly sealedKeys: SealedKeyStore,
  ) {}

  async onModuleInit(): Promise<void> {
    const needed = await this.sealedKeys.sealedWithAnotherKey(this.sealer.masterKeyId);
    if (needed === null) return;
    throw new InvalidConfigurationError(
      'KEYSTORE_MASTER_KEY',
      `is not the key that sealed the stored private keys (they need the master key with id ${needed}, this one is ${this.sealer.masterKeyId}): give that key, or its file ${KEYSTORE_MASTER_KEY_FILE} in DATA_DIR`,
    );
  }
}
