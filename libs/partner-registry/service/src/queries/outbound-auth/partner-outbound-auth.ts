import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@as2-partners/kernel';
import { partnerNotFound, tenantDeleted } from '@as2-partners/partner-registry-domain';
import { TenantSecrets } from '../../secrets/tenant-secrets';
import { PartnerQueries } from '../partner-views/partner-queries';
import { withholdsAccountPassword } from '../partner-views/withheld-account-password';

/** Whose outbound credential is asked for, and by whom (recorded in the audit line). */
export interface OutboundAuthRequest {
  readonly account: string;
  readonly tenant: string;
  readonly partnerId: string;
  /** The caller: a gateway token's subject, or the in-process service that asks. */
  readonly requestedBy: string;
}

/** The HTTP basic credential a sender presents to the partner; plaintext only in this answer, never stored or published. */
export interface OutboundAuth {
  readonly partnerId: string;
  readonly enabled: boolean;
  readonly username: string | null;
  readonly password: string | null;
}

const audit = new Logger('OutboundCredentialAudit');

/**
 * Unseals a partner's outbound HTTP password for whoever sends to it (the gateway, the connection tester), as the
 * tenant sees the partner: its own, or an inherited master with the tenant's overrides. Every disclosure is logged
 * (who, which partner, which tenant), never the password.
 */
@Injectable()
export class PartnerOutboundAuth {
  constructor(
    @Inject(PartnerQueries) private readonly partners: PartnerQueries,
    @Inject(TenantSecrets) private readonly secrets: TenantSecrets,
  ) {}

  async outboundAuth(request: OutboundAuthRequest): Promise<OutboundAuth> {
    const { account, tenant, partnerId } = request;
    if (await this.partners.isDeletedTenant(account, tenant)) throw tenantDeleted(tenant);
    const partner = await this.partners.findForTenant(account, tenant, partnerId);
    if (!partner) throw partnerNotFound(partnerId);
    const { enabled, username, sealedPassword } = partner.settings.httpAuth;
    if (enabled && sealedPassword && withholdsAccountPassword(partner)) {
      throw new DomainError(
        'OUTBOUND_SECRET_UNAVAILABLE',
        `The outbound password of partner ${partnerId} is the account's, for the master partner's URL; this tenant overrides the URL, so it overrides http_auth with its own password too`,
      );
    }
    let password: string | null = null;
    if (enabled && sealedPassword) {
      try {
        password = await this.secrets.unseal(sealedPassword);
      } catch {
        throw new DomainError('OUTBOUND_SECRET_UNAVAILABLE', `The outbound password of partner ${partnerId} cannot be unsealed: set it again`);
      }
    }
    audit.log(`Outbound credential of partner ${partnerId} (account ${account}, tenant ${tenant}, ${enabled ? 'enabled' : 'disabled'}) disclosed to ${request.requestedBy}`);
    return { partnerId: partner.partnerId, enabled, username: enabled ? username : null, password };
  }
}
