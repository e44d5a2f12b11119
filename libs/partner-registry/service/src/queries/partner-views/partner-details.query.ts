import { Inject, Injectable } from '@nestjs/common';
import { presentPartnerDetails } from './partner.presenter';
import { PartnerQueries } from './partner-queries';
import { presentPartnerCertificate } from '../partner-certificates/partner-certificate.presenter';
import { certificateOwnerOf, PartnerCertificatesQuery } from '../partner-certificates/partner-certificates.query';
import { MessageStatsQuery } from '../message-stats/message-stats.query';
import { ConnectionStatusConsumer } from '../../reactions/connection-tester-events/connection-status.consumer';
import { PartnerTrafficConsumer } from '../../reactions/traffic-control-events/partner-traffic.consumer';

/** GET /v1/partners/{id}'s body: the partner as the tenant sees it, joined with certificates, statistics, traffic and connectivity. */
@Injectable()
export class PartnerDetailsQuery {
  constructor(
    @Inject(PartnerQueries) private readonly queries: PartnerQueries,
    @Inject(PartnerCertificatesQuery) private readonly certificates: PartnerCertificatesQuery,
    @Inject(MessageStatsQuery) private readonly stats: MessageStatsQuery,
    private readonly traffic: PartnerTrafficConsumer,
    private readonly connectionStatus: ConnectionStatusConsumer,
  ) {}

  /** Null when the tenant sees no such partner (another tenant's included). */
  async detailsFor(account: string, tenant: string, id: string) {
    const partner = await this.queries.findForTenant(account, tenant, id);
    if (!partner) return null;
    const owner = certificateOwnerOf(partner);
    const certificates = await this.certificates.certificatesOf(owner);
    const certificateLink = await this.certificates.certificateLinkOf(owner, partner.certificateId, certificates);
    const stats = await this.stats.statsOf(account, tenant, partner.as2Id);
    const traffic = await this.traffic.trafficOf(account, tenant, partner.partnerId);
    const status = await this.connectionStatus.presentedFor(partner.partnerId, tenant);
    return { data: { ...presentPartnerDetails(partner, partner.type, certificates.map(presentPartnerCertificate), stats, status), certificate_link: certificateLink, traffic } };
  }
}
