import { MAX_PAGE } from '@as2-partners/platform';
import type { PartnerType } from './partner-view.document';

/** A list request's query as PartnerListQueryDto reads it, defaults applied. */
export interface PartnerListRequest {
  readonly search?: string;
  readonly active?: boolean;
  readonly type: PartnerType | 'all';
  readonly stationId?: string;
  readonly page: number;
  readonly perPage: number;
}

const POSITIVE_INTEGER = /^[1-9][0-9]{0,6}$/;
/** Surrogate pairs and variation selectors: class-validator's Length counts them differently from `length`. */
const COUNTED_OTHERWISE = /[\uD800-\uDFFF]|\uFE0E|\uFE0F/;
const TENANT_LIST_TYPES: ReadonlySet<string> = new Set(['tenant', 'inherited', 'all']);
/** MasterPartnerListQueryDto's: `master` lists what `all` does. */
const MASTER_LIST_TYPES: ReadonlySet<string> = new Set(['master', 'tenant', 'inherited', 'all']);

const textOf = (value: unknown, max: number): string | null | undefined => {
  if (value === undefined) return undefined;
  return typeof value === 'string' && value.length >= 1 && value.length <= max && !COUNTED_OTHERWISE.test(value) ? value : null;
};

/**
 * The query of GET /v1/partners (or, with `list` 'masters', the masters' list) when it is one PartnerListQueryDto
 * (MasterPartnerListQueryDto) accepts in its plain form, read as the DTO reads it; undefined for anything else (unknown or repeated fields, other spellings of a number, out
 * of range), which the Nest route then validates and refuses with its own 422 as before.
 */
export function plainPartnerListRequest(query: Readonly<Record<string, unknown>>, list: 'tenant' | 'masters' = 'tenant'): PartnerListRequest | undefined {
  const types = list === 'masters' ? MASTER_LIST_TYPES : TENANT_LIST_TYPES;
  let page = 1;
  let perPage = 20;
  let search: string | undefined;
  let active: boolean | undefined;
  let type: PartnerType | 'all' = 'all';
  let stationId: string | undefined;
  for (const key in query) {
    const value = query[key];
    switch (key) {
      case 'page':
        if (typeof value !== 'string' || !POSITIVE_INTEGER.test(value) || Number(value) > MAX_PAGE) return undefined;
        page = Number(value);
        break;
      case 'per_page':
        if (typeof value !== 'string' || !POSITIVE_INTEGER.test(value) || Number(value) > 100) return undefined;
        perPage = Number(value);
        break;
      case 'search': {
        const text = textOf(value, 255);
        if (text === null) return undefined;
        search = text;
        break;
      }
      case 'station_id': {
        const text = textOf(value, 64);
        if (text === null) return undefined;
        stationId = text;
        break;
      }
      case 'active':
        if (value !== 'true' && value !== 'false') return undefined;
        active = value === 'true';
        break;
      case 'type':
        if (typeof value !== 'string' || !types.has(value)) return undefined;
        type = value === 'master' ? 'all' : (value as PartnerType | 'all');
        break;
      default:
        return undefined;
    }
  }
  return { page, perPage, type, ...(search === undefined ? {} : { search }), ...(active === undefined ? {} : { active }), ...(stationId === undefined ? {} : { stationId }) };
}

/** The masters' list filtered to tenants' own partners, or to a station's (master partners belong to no station), is empty. */
export function listsNoMaster(type: string | undefined, stationId: string | undefined): boolean {
  return type === 'tenant' || stationId !== undefined;
}
