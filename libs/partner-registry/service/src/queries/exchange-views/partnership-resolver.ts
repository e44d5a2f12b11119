import { Inject, Injectable } from '@nestjs/common';
import { applyPartnerChanges, partnershipNotFound } from '@as2-partners/partner-registry-domain';
import { presentPartnerCertificate } from '../partner-certificates/partner-certificate.presenter';
import { certificateOwnerOf, PartnerCertificatesQuery } from '../partner-certificates/partner-certificates.query';
import { PartnerQueries } from '../partner-views/partner-queries';
import type { PartnerViewDocument } from '../partner-views/partner-view.document';
import { presentPartner, shownOf } from '../partner-views/partner.presenter';
import { ExchangeQueries } from './exchange-queries';
import type { As2InstanceDocument, PartnershipDocument } from './exchange-view.documents';
import { presentAs2Instance, presentOverridesOfPartnership } from './exchange.presenter';

interface Pair {
  readonly direction: 'outbound' | 'inbound';
  readonly instance: As2InstanceDocument;
  readonly partner: PartnerViewDocument;
  readonly partnership: PartnershipDocument;
}

/**
 * The gateway's routing question: which partnership a message belongs to, from its AS2-From and AS2-To, and the
 * settings that apply to it (the partner's, with the partnership's overrides) in one answer.
 */
@Injectable()
export class PartnershipResolver {
  constructor(
    @Inject(ExchangeQueries) private readonly exchange: ExchangeQueries,
    @Inject(PartnerQueries) private readonly partners: PartnerQueries,
    @Inject(PartnerCertificatesQuery) private readonly certificates: PartnerCertificatesQuery,
  ) {}

  /** `known`: the one reading the gateway knows applies; without it, outbound (as2From is ours) first, then inbound. */
  async resolve(account: string, tenant: string, as2From: string, as2To: string, known?: Pair['direction']) {
    const outbound = () => this.pairOf(account, tenant, 'outbound', as2From, as2To);
    const inbound = () => this.pairOf(account, tenant, 'inbound', as2To, as2From);
    const pair = known === 'outbound' ? await outbound() : known === 'inbound' ? await inbound() : ((await outbound()) ?? (await inbound()));
    if (!pair) throw partnershipNotFound(`${as2From} -> ${as2To}`);
    const { direction, instance, partner, partnership } = pair;
    const effective = applyPartnerChanges(partner.settings, partnership.overrides);
    const { id: _id, type: _type, master_partner_id: _m, has_overrides: _h, created_at: _c, updated_at: _u, as2_id: _a, active: _x, name: _n, ...settings } = presentPartner({
      ...partner,
      settings: effective,
    });
    const certificates = await this.certificates.certificatesOf(certificateOwnerOf(partner));
    return {
      partnership_id: partnership.partnershipId,
      direction,
      as2_from: as2From,
      as2_to: as2To,
      // Off instances and inactive partners neither send nor receive: the gateway refuses the message.
      can_exchange: instance.status === 'on' && partner.settings.active,
      as2_instance: presentAs2Instance(instance),
      // as in the partner's details: at most 100, those in a slot first (a partner holding thousands answered them all, each message)
      partner: { ...presentPartner(partner), certificates: shownOf(certificates.map(presentPartnerCertificate)), certificates_total: certificates.length },
      overrides: presentOverridesOfPartnership(partnership.overrides),
      effective: { my_as2_id: instance.myAs2Id, my_as2_alias: instance.myAs2Alias, my_email: instance.myEmail, partner_as2_id: partner.as2Id, ...settings },
    };
  }

  /**
   * The partner a message between our `ours` and their `theirs` is counted for: the one `resolve` pairs it with when the
   * tenant has two partners of that AS2 id (its own and an inherited master), else the one it has; null when none.
   */
  async partnerOfMessage(account: string, tenant: string, direction: Pair['direction'], ours: string, theirs: string): Promise<PartnerViewDocument | null> {
    const partners = await this.partners.findForTenantByAs2Id(account, tenant, theirs);
    if (partners.length < 2) return partners[0] ?? null;
    const instances = await this.exchange.findInstancesByMyAs2Id(account, tenant, ours);
    return (await this.pairAmong(account, tenant, direction, instances, partners))?.partner ?? partners[0];
  }

  /** An AS2 id may name both a tenant's own and an inherited end: the first pair with a partnership, own ends first. */
  private async pairOf(account: string, tenant: string, direction: Pair['direction'], ours: string, theirs: string): Promise<Pair | null> {
    const instances = await this.exchange.findInstancesByMyAs2Id(account, tenant, ours);
    if (instances.length === 0) return null;
    return this.pairAmong(account, tenant, direction, instances, await this.partners.findForTenantByAs2Id(account, tenant, theirs));
  }

  /** The first of the instances and partners (in their order) with a partnership between them. */
  private async pairAmong(account: string, tenant: string, direction: Pair['direction'], instances: readonly As2InstanceDocument[], partners: readonly PartnerViewDocument[]): Promise<Pair | null> {
    for (const instance of instances) {
      for (const partner of partners) {
        const partnership = await this.exchange.findPartnershipByPair(account, tenant, instance.instanceId, partner.partnerId);
        if (partnership) return { direction, instance, partner, partnership };
      }
    }
    return null;
  }
}
