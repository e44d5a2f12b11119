import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@as2-partners/kernel';
import { PartnerQueries } from '../partner-views/partner-queries';
import type { PartnerViewDocument } from '../partner-views/partner-view.document';
import { ExchangeQueries } from './exchange-queries';
import type { As2InstanceDocument } from './exchange-view.documents';
import { presentAs2Instance, presentRelatedPartnership, type InstancePresentedType } from './exchange.presenter';
import { presentOurKey } from './our-key.document';

/** How many of an instance's partnerships its details show: a hub's instance may pair with every one of its partners. */
export const DETAILS_PARTNERSHIPS_LIMIT = 100;

/** GET /as2-instances/{id}: the instance with its related partnerships (seed 001: the first hundred, and their count) and its keys. */
@Injectable()
export class As2InstanceDetails {
  constructor(
    @Inject(ExchangeQueries) private readonly exchange: ExchangeQueries,
    @Inject(PartnerQueries) private readonly partners: PartnerQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `viewer` null: the account admin, who sees every tenant's partnerships of a master instance. */
  async of(doc: As2InstanceDocument, viewer: string | null, type: InstancePresentedType) {
    const partnerships = await this.exchange.partnershipsOfInstance(doc.account, viewer, doc.instanceId, DETAILS_PARTNERSHIPS_LIMIT);
    const related = [];
    for (const partnership of partnerships.items) {
      const partner: PartnerViewDocument | null = await this.partners.findForTenant(doc.account, partnership.tenant, partnership.partnerId);
      related.push(presentRelatedPartnership(partnership, doc, partner));
    }
    // From the certificate-lifecycle service's key.* events: a tenant instance's alias in its tenant's keystore, else
    // the account's; an account-level instance's in the account's keystore.
    const now = this.clock.now();
    const keys = (await this.exchange.keysOfAlias(doc.account, doc.tenant, doc.myAs2Alias)).map((key) => presentOurKey(key, now));
    return { ...presentAs2Instance(doc, type), partnerships: related, partnerships_total: partnerships.total, keys };
  }
}
