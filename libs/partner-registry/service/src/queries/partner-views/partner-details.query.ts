import { Inject, Injectable } from '@nestjs/common';
import { presentPartnerDetails } from './partner.presenter';
import { PartnerQueries } from './partner-queries';
import { presentPartnerCertificate } from '../partner-certificates/partner-certificate.presenter';
import { certificateOwnerOf, PartnerCertificatesQuery } from '../partner-certificates/partner-certificates.query';
import { MessageStatsQuery, NO_MESSAGE_STATS } from '../message-stats/message-stats.query';
import { ConnectionStatusConsumer } from '../../reactions/connection-tester-events/connection-status.consumer';
import { PartnerTrafficConsumer, UNPAUSED_TRAFFIC } from '../../reactions/traffic-control-events/partner-traffic.consumer';
import { type DetailPart, messagesKeyOf, PartnerDetailPresence } from './partner-detail-presence';
import type { PartnerViewDocument } from './partner-view.document';

export type PartnerDetails = NonNullable<Awaited<ReturnType<PartnerDetailsQuery['detailsOf']>>>;

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
    return partner ? this.detailsOf(account, tenant, partner) : null;
  }

  /** The details of a partner as the tenant sees it (its view, or the master for a tenant without views). */
  async detailsOf(account: string, tenant: string, partner: PartnerViewDocument) {
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
    const stats = absent('messages', messagesKey) ? NO_MESSAGE_STATS : await this.stats.statsOf(account, tenant, partner);
    const traffic = absent('traffic', partner.partnerId) ? UNPAUSED_TRAFFIC : await this.traffic.trafficOf(account, tenant, partner.partnerId);
    const status = absent('connectionStatus', partner.partnerId) ? null : await this.connectionStatus.presentedFor(partner.partnerId, tenant);
    return { data: { ...presentPartnerDetails(partner, partner.type, certificates.map(presentPartnerCertificate), stats, status), certificate_link: certificateLink, traffic } };
  }

  /** The same body without a read, when the presence indexes know the partner has none of the joined parts; else undefined. */
  bareDetailsOf(partner: PartnerViewDocument): PartnerDetails | undefined {
    if (this.presence.ready() !== undefined || partner.certificateId || partner.tenant === null) return undefined;
    const absent = (part: DetailPart, key: string): boolean => this.presence.knownAbsent(part, key);
    const owner = certificateOwnerOf(partner).partnerId;
    if (!absent('certificates', owner) || !absent('traffic', partner.partnerId) || !absent('connectionStatus', partner.partnerId)) return undefined;
    if (!absent('messages', messagesKeyOf(partner.account, partner.tenant, partner.as2Id))) return undefined;
    return { data: { ...presentPartnerDetails(partner, partner.type, [], NO_MESSAGE_STATS, null), certificate_link: null, traffic: UNPAUSED_TRAFFIC } };
  }
}
