import { Inject, Injectable, Optional } from '@nestjs/common';
import { CONNECTION_TESTER_CONFIG, type ConnectionTesterConfig } from '../config/connection-tester.config';
import { PARTNER_OUTBOUND_AUTH, type PartnerOutboundAuthPort } from './partner-outbound-auth.port';
import { RegistryOutboundAuthClient } from './registry-outbound-auth.client';

/** The `Authorization` header a test sends, or the warning step that says why it sends none. */
export type HttpAuthDecision = { readonly authorization: string | null; readonly note: string | null };

const REQUESTER = 'connection-tester';

/**
 * The partner's HTTP basic auth for a test: the registry unseals the password (in process, or over its internal route
 * in distributed mode). The header exists only for the request; it is never logged or recorded.
 */
@Injectable()
export class PartnerHttpAuth {
  private readonly port: PartnerOutboundAuthPort | null;

  constructor(
    @Inject(CONNECTION_TESTER_CONFIG) config: ConnectionTesterConfig,
    @Optional() @Inject(PARTNER_OUTBOUND_AUTH) inProcess?: PartnerOutboundAuthPort,
  ) {
    this.port = inProcess ?? (config.partnerRegistry ? new RegistryOutboundAuthClient(config.partnerRegistry.url, config.partnerRegistry.token) : null);
  }

  async forPartner(account: string, tenant: string, partnerId: string): Promise<HttpAuthDecision> {
    if (!this.port) {
      return { authorization: null, note: 'The partner wants HTTP authentication, but the partner registry is out of reach (PARTNER_REGISTRY_URL is not set, or neither PARTNER_REGISTRY_TOKEN nor a shared JWT_SECRET gives it a token): the message is sent without it' };
    }
    let credential;
    try {
      credential = await this.port.outboundAuth({ account, tenant, partnerId, requestedBy: REQUESTER });
    } catch (error) {
      const why = error instanceof Error ? error.message : 'unknown error';
      return { authorization: null, note: `The partner's HTTP credential could not be obtained (${why}): the message is sent without authentication` };
    }
    if (!credential.enabled) return { authorization: null, note: null };
    if (credential.username === null) return { authorization: null, note: 'HTTP authentication is enabled for the partner but no username is set: the message is sent without it' };
    return { authorization: `Basic ${Buffer.from(`${credential.username}:${credential.password ?? ''}`, 'utf8').toString('base64')}`, note: null };
  }
}
