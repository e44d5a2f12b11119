import { escapeRegex, type Filter, type FindQuery, type SearchIndex } from '@as2-partners/kernel';
import type { PartnerType } from './partner-view.document';

export interface PartnerListCriteria {
  readonly account: string;
  /** null: the account's master partners (the unknown-tenant view and the account admin's list). */
  readonly tenant: string | null;
  readonly search?: string;
  readonly active?: boolean;
  readonly type?: PartnerType | 'all';
  readonly stationId?: string;
  readonly page: number;
  readonly perPage: number;
}

/**
 * One Mongo-style query for a page of partners, run unchanged by MongoDB and by mingo:
 * scope, filters, tenant partners first, then oldest first.
 */
export function partnerListQuery(criteria: PartnerListCriteria): FindQuery {
  const scope: Filter = { account: criteria.account };
  // masters too name their tenant (null): the list is then a range of the same indexes, in their order
  const conditions: Filter[] = [scope, { tenant: criteria.tenant }];
  // The type as its order (0 tenant, 1 inherited), which every list index holds right after the tenant: a range of
  // the index in its order, not a scan of the tenant's partners filtered by `type` and sorted.
  const oneType = criteria.type !== undefined && criteria.type !== 'all';
  if (oneType) conditions.push({ typeOrder: criteria.type === 'tenant' ? 0 : 1 });
  if (criteria.active !== undefined) conditions.push({ 'settings.active': criteria.active });
  if (criteria.stationId !== undefined) conditions.push({ 'settings.stationId': criteria.stationId });
  if (criteria.search) {
    const pattern = { $regex: escapeRegex(criteria.search), $options: 'i' };
    conditions.push({ $or: [{ 'settings.name': pattern }, { as2Id: pattern }] });
  }
  return {
    filter: { $and: conditions },
    sort: oneType ? { createdAt: 1, partnerId: 1 } : { typeOrder: 1, createdAt: 1, partnerId: 1 },
    skip: (criteria.page - 1) * criteria.perPage,
    limit: criteria.perPage,
  };
}

/**
 * One index per query shape: a page, a page of active or inactive partners, a partner by id across tenants, a tenant's
 * partners of one AS2 id (what every gateway message's resolve and record ask), a page of a station's partners. The
 * list indexes end with `_id`, the tie-breaker the stores add to every sort, so MongoDB pages them without a sort stage.
 */
export const PARTNER_VIEW_INDEXES: readonly (readonly string[])[] = [
  ['account', 'tenant', 'typeOrder', 'createdAt', 'partnerId', '_id'],
  ['account', 'tenant', 'settings.active', 'typeOrder', 'createdAt', 'partnerId', '_id'],
  ['account', 'partnerId'],
  ['account', 'tenant', 'as2Id', 'typeOrder', '_id'],
  ['account', 'tenant', 'settings.stationId', 'typeOrder', 'createdAt', 'partnerId', '_id'],
];

/** `search` looks in the name and the AS2 id, within one tenant's list. */
export const PARTNER_VIEW_SEARCH: SearchIndex = { fields: ['settings.name', 'as2Id'], scope: ['account', 'tenant'] };
