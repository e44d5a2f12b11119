import { as2InstanceInUse, IN_USE_PARTNERS_NAMED, stationInUse } from './partner-registry.errors';

describe('an in-use refusal names a bounded number of what holds it, and counts them all', () => {
  const ids = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}_${String(i).padStart(4, '0')}`);

  it('STATION_IN_USE: the first 100 partner ids and partners_total', () => {
    expect(stationInUse('stn_1', ids(3, 'prt')).details).toEqual({ partner_ids: ids(3, 'prt'), partners_total: 3 });
    const many = stationInUse('stn_1', ids(250, 'prt'));
    expect(many.details).toEqual({ partner_ids: ids(250, 'prt').slice(0, IN_USE_PARTNERS_NAMED), partners_total: 250 });
    expect(many.message).toContain('250 partner(s)');
  });

  it('AS2_INSTANCE_IN_USE alike', () => {
    expect(as2InstanceInUse('as2_1', ids(120, 'pts')).details).toEqual({ partnership_ids: ids(100, 'pts'), partnerships_total: 120 });
  });
});
