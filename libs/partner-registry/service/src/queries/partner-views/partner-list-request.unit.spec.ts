import { plainPartnerListRequest } from './partner-list-request';

describe('plainPartnerListRequest: a list query in the plain form PartnerListQueryDto accepts, or undefined', () => {
  it('reads every field with the DTO defaults', () => {
    expect(plainPartnerListRequest({})).toEqual({ page: 1, perPage: 20, type: 'all' });
    expect(plainPartnerListRequest({ page: '5000', per_page: '100', search: 'Acme Corp', active: 'false', type: 'inherited', station_id: 'stn_1' })).toEqual({
      page: 5000,
      perPage: 100,
      search: 'Acme Corp',
      active: false,
      type: 'inherited',
      stationId: 'stn_1',
    });
    expect(plainPartnerListRequest({ active: 'true', page: '1000000' })).toMatchObject({ active: true, page: 1_000_000 });
    expect(plainPartnerListRequest({ search: 'x'.repeat(255) })?.search).toHaveLength(255);
  });

  it("takes the masters' list's own type, master, as every master partner", () => {
    expect(plainPartnerListRequest({ type: 'master' }, 'masters')).toEqual({ page: 1, perPage: 20, type: 'all' });
    expect(plainPartnerListRequest({ type: 'tenant' }, 'masters')?.type).toBe('tenant');
    expect(plainPartnerListRequest({ type: 'other' }, 'masters')).toBeUndefined();
  });

  it.each([
    ['page 0', { page: '0' }],
    ['page past the maximum', { page: '1000001' }],
    ['a leading zero', { page: '01' }],
    ['a decimal', { per_page: '2.0' }],
    ['per_page over 100', { per_page: '101' }],
    ['an empty search', { search: '' }],
    ['a search over 255', { search: 'x'.repeat(256) }],
    ['a station id over 64', { station_id: 'x'.repeat(65) }],
    ['a surrogate pair (counted otherwise)', { search: 'a\uD83D\uDE00' }],
    ['a variation selector (counted otherwise)', { search: 'a\uFE0F' }],
    ['active other than true/false', { active: 'yes' }],
    ['a type only the masters\' list knows', { type: 'master' }],
    ['an unknown field', { sort: 'name' }],
    ['a repeated field (a list)', { search: ['a', 'b'] }],
  ])('leaves %s to the Nest route', (_name, query) => {
    expect(plainPartnerListRequest(query as Record<string, unknown>)).toBeUndefined();
  });
});
