import { Inject, Injectable } from '@nestjs/common';
import type { FindQuery, Page } from '@as2-partners/kernel';
import type { KeystoreScope } from '../../keystore/keystore-scope';
import type { DeletedKeyDocument, KeyViewDocument } from './key-view.document';
import { KeyViewsProjection } from './key-views.projection';

export interface KeyListCriteria {
  readonly viewer: KeystoreScope;
  readonly alias?: string;
  readonly page: number;
  readonly perPage: number;
}

/** Which keystores a viewer reads: a tenant its own and the account's (read-only); the account admin the account's. */
function visibleTo(viewer: KeystoreScope) {
  return viewer.tenant === null ? { account: viewer.account, tenant: null } : { account: viewer.account, $or: [{ tenant: viewer.tenant }, { tenant: null }] };
}

/**
 * A page of the keys a viewer sees, by alias then creation: each level (the tenant's, the account's) one range of the
 * list index in its order. One alias's keys are sorted without it: SQLite keeps an index's order after an equality on a
 * column, not on an expression, so `alias` first in the sort would have it sort the range again.
 */
export function keyListQuery(criteria: KeyListCriteria): FindQuery {
  return {
    filter: { ...visibleTo(criteria.viewer), ...(criteria.alias ? { alias: criteria.alias } : {}) },
    sort: criteria.alias ? { createdAt: 1, _id: 1 } : { alias: 1, createdAt: 1, _id: 1 },
    skip: (criteria.page - 1) * criteria.perPage,
    limit: criteria.perPage,
  };
}

/** Our keys a caller sees: never another tenant's keystore. */
@Injectable()
export class KeyQueries {
  constructor(@Inject(KeyViewsProjection) private readonly views: KeyViewsProjection) {}

  list(criteria: KeyListCriteria): Promise<Page<KeyViewDocument>> {
    return this.views.keys.find(keyListQuery(criteria));
  }

  /** A key of the viewer's keystore or, for a tenant, of the account's. */
  async findVisible(viewer: KeystoreScope, keyId: string): Promise<KeyViewDocument | null> {
    const doc = await this.views.keys.get(keyId);
    return doc && doc.account === viewer.account && (doc.tenant === viewer.tenant || doc.tenant === null) ? doc : null;
  }

  /** A key of the viewer's own keystore deleted on request (never the account's for a tenant, nor another tenant's). */
  async findDeleted(viewer: KeystoreScope, keyId: string): Promise<DeletedKeyDocument | null> {
    const doc = await this.views.deletedKeys.get(keyId);
    return doc && doc.account === viewer.account && doc.tenant === viewer.tenant ? doc : null;
  }

  /** Aliases whose scheduled next key is due at `now` (ISO-8601 UTC strings compare in time order). */
  async dueRollovers(now: Date, limit: number): Promise<{ account: string; tenant: string | null; alias: string }[]> {
    const page = await this.views.keys.find({ filter: { role: 'next', activateAt: { $ne: null, $lte: now.toISOString() } }, sort: { activateAt: 1, _id: 1 }, limit, withoutTotal: true });
    return page.items.map((doc) => ({ account: doc.account, tenant: doc.tenant, alias: doc.alias }));
  }

  /** Aliases whose previous key's overlap is over: what the scheduler retires. */
  async dueRetirements(now: Date, limit: number): Promise<{ account: string; tenant: string | null; alias: string }[]> {
    const page = await this.views.keys.find({ filter: { role: 'previous', overlapUntil: { $ne: null, $lte: now.toISOString() } }, sort: { overlapUntil: 1, _id: 1 }, limit, withoutTotal: true });
    return page.items.map((doc) => ({ account: doc.account, tenant: doc.tenant, alias: doc.alias }));
  }
}
