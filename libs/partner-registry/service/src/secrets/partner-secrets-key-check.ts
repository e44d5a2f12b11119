import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InvalidConfigurationError } from '@as2-partners/platform';
import { TenantSecrets } from './tenant-secrets';

/**
 * Checked at module init, before any bootstrap hook starts a projection, a scheduler or a consumer: a refused start
 * touches no store. A start with another PARTNER_SECRETS_KEY than the one that wrapped the stored tenant data keys stops, naming the
 * variable: else it came up ready and every tenant partner's password was a 409 OUTBOUND_SECRET_UNAVAILABLE.
 */
@Injectable()
export class PartnerSecretsKeyCheck implements OnModuleInit {
  constructor(private readonly secrets: TenantSecrets) {}

  async onModuleInit(): Promise<void> {
    if (await this.secrets.opensStoredKeys()) return;
    throw new InvalidConfigurationError('PARTNER_SECRETS_KEY', 'does not open the stored tenant data keys (they were wrapped by another key): give that key, or its file in DATA_DIR');
  }
}
