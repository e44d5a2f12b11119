import type { ReadModelDocument } from '@as2-partners/kernel';

/** A document shaped like the partner views (scope, the list's order, two searched fields), for the store's specs. */
export interface PartnerShapedView extends ReadModelDocument {
  readonly account: string;
  readonly tenant: string;
  readonly typeOrder: number;
  readonly createdAt: string;
  readonly partnerId: string;
  readonly as2Id: unknown;
  readonly settings: { readonly name: string; readonly active?: boolean };
}

/** The list's index: the scope, then its order. */
export const LIST_INDEX = ['account', 'tenant', 'typeOrder', 'createdAt', 'partnerId'];
/** The searched fields, within the scope. */
export const VIEW_SEARCH = { fields: ['settings.name', 'as2Id'], scope: ['account', 'tenant'] };
/** The list's order (the store adds `_id` last). */
export const VIEW_SORT = { typeOrder: 1, createdAt: 1, partnerId: 1 } as const;

/** Two views in the list's order (`_id` last), as a plain sort gives it. */
export function inListOrder(a: PartnerShapedView, b: PartnerShapedView): number {
  const text = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return a.typeOrder - b.typeOrder || text(a.createdAt, b.createdAt) || text(a.partnerId, b.partnerId) || text(a._id, b._id);
}
