import { Inject, Injectable } from '@nestjs/common';
import { presentPartnerDetails } from './partner.presenter';
import { PartnerQueries } from './partner-queries';
import { presentPartnerCertificate } from '../partner-certificates/partner-certificate.presenter';
import { certificateOwnerOf, PartnerCertificatesQuery } from '../partner-certificates/partner-certificates.query';
import { MessageStatsQuery, NO_MESSAGE_STATS } from '../message-stats/message-stats.query';
import { ConnectionStatusConsumer } from '../../reactions/connection-tester-events/connection-status.consumer';
import { PartnerTrafficConsumer, UNPAUSED_TRAFFIC } from '../../reactions/traffic-control-events/partner-traffic.consumer';
import { type DetailPart, messagesKeyOf, PartnerDetailPresence } from './partner-detail-presence';

/** GET /v1/partners/{id}'s body: the partner as the tenant sees it, joined with certificates, statistics, traffic and connectivity. */
@Injectable()
export class PartnerDetailsQuery {
  constructor(
    @Inject(PartnerQueries) private readonly queries: PartnerQueries,
    @Inject(PartnerCertificatesQuery) private readonly certificates: PartnerCertificatesQuery,
    @Inject(MessageStatsQuery) private readonly stats: MessageStatsQuery,
    private readonly traffic: PartnerTrafficConsumer,
    private readonly connectionStatus: ConnectionStatusConsumer,
    @Inject(PartnerDetailPresence) private readonly presence: PartnerDetailPresence,
  ) {}

  /** Null when the tenant sees no such partner (another tenant's included). Parts the partner has none of are not read. */
  async detailsFor(account: string, tenant: string, id: string) {
    const partner = await this.queries.findForTenant(account, tenant, id);
    if (!partner) return null;
    const owner = certificateOwnerOf(partner);
    const filling = this.presence.ready();
    if (filling) await filling;
    // Checked just before each read: a write between two reads may have added the next part.
    const absent = (part: DetailPart, key: string): boolean => this.presence.knownAbsent(part, key);
    const certificates = absent('certificates', owner.partnerId) ? [] : await this.certificates.certificatesOf(owner);
    const certificateLink = partner.certificateId
      ? await this.certificates.certificateLinkOf(owner, partner.certificateId, certificates, !absent('slots', owner.partnerId))
      : null;
    const messagesKey = messagesKeyOf(account, tenant, partner.as2Id);
    const stats = absent('messages', messagesKey) ? NO_MESSAGE_STATS : await this.stats.statsOf(account, tenant, partner.as2Id);
    const traffic = absent('traffic', partner.partnerId) ? UNPAUSED_TRAFFIC : await this.traffic.trafficOf(account, tenant, partner.partnerId);
    const status = absent('connectionStatus', partner.partnerId) ? null : await this.connectionStatus.presentedFor(partner.partnerId, tenant);
    return { data: { ...presentPartnerDetails(partner, partner.type, certificates.map(presentPartnerCertificate), stats, status), certificate_link: certificateLink, traffic } };
  }
}
