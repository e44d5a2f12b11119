import { Inject, Injectable } from '@nestjs/common';
import type { Page } from '@as2-partners/kernel';
import type { KeyViewDocument } from './key-view.document';
import { KeyViewsProjection } from './key-views.projection';

export interface KeyListCriteria {
  readonly account: string;
  readonly tenant: string;
  readonly alias?: string;
  readonly page: number;
  readonly perPage: number;
}

/** Our keys a tenant sees: its own only (a keystore is never shared across tenants). */
@Injectable()
export class KeyQueries {
  constructor(@Inject(KeyViewsProjection) private readonly views: KeyViewsProjection) {}

  list(criteria: KeyListCriteria): Promise<Page<KeyViewDocument>> {
    return this.views.keys.find({
      filter: { account: criteria.account, tenant: criteria.tenant, ...(criteria.alias ? { alias: criteria.alias } : {}) },
      sort: { alias: 1, createdAt: 1, _id: 1 },
      skip: (criteria.page - 1) * criteria.perPage,
      limit: criteria.perPage,
    });
  }

  async findVisible(account: string, tenant: string, keyId: string): Promise<KeyViewDocument | null> {
    const doc = await this.views.keys.get(keyId);
    return doc && doc.account === account && doc.tenant === tenant ? doc : null;
  }

  /** Aliases whose scheduled next key is due at `now` (ISO-8601 UTC strings compare in time order). */
  async dueRollovers(now: Date, limit: number): Promise<{ account: string; tenant: string | null; alias: string }[]> {
    const page = await this.views.keys.find({ filter: { role: 'next', activateAt: { $ne: null, $lte: now.toISOString() } }, sort: { activateAt: 1, _id: 1 }, limit });
    return page.items.map((doc) => ({ account: doc.account, tenant: doc.tenant, alias: doc.alias }));
  }
}
