import type { CreatePartnerDto } from '../../../libs/partner-registry/service/src/partner-settings/partner-settings.dto';

/** Who a benchmark seeds: one account, a hub tenant, and `tenants` other tenants named t0, t1, … */
export interface SeedPopulation {
  readonly account: string;
  readonly hub: string;
  readonly tenants: number;
}

export interface SeedPartner {
  readonly name: string;
  readonly as2Id: string;
  readonly active: boolean;
}

/** The hub's i-th partner (one in a hundred inactive). */
export function hubPartner(i: number): SeedPartner {
  return { name: `Hub Supplier ${i}`, as2Id: `HUB-${String(i).padStart(7, '0')}`, active: i % 100 !== 7 };
}

/** Tenant t's i-th partner. */
export function populationPartner(t: number, i: number): SeedPartner {
  return { name: `Supplier ${t}-${i}`, as2Id: `T${t}-${String(i).padStart(5, '0')}`, active: i % 100 !== 7 };
}

/** The create body the route would get for a seeded partner. */
export const partnerDto = (p: SeedPartner): CreatePartnerDto =>
  ({ name: p.name, as2_id: p.as2Id, url: `https://as2.${p.as2Id.toLowerCase()}.example.com/receive`, active: p.active, sign: true, encrypt: true }) as CreatePartnerDto;
