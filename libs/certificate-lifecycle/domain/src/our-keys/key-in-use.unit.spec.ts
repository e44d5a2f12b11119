import { IN_USE_INSTANCES_NAMED, keyInUse } from './our-key.errors';

describe('KEY_IN_USE names a bounded number of the AS2 instances of the alias, and counts them all', () => {
  const instances = (count: number) => Array.from({ length: count }, (_, i) => ({ instanceId: `as2_${i}`, myAs2Id: `ME-${i}` }));

  it('the first 100 and used_by_total', () => {
    expect(keyInUse('key_1', 'main', instances(2)).details).toEqual({ alias: 'main', used_by: [{ instance_id: 'as2_0', my_as2_id: 'ME-0' }, { instance_id: 'as2_1', my_as2_id: 'ME-1' }], used_by_total: 2 });
    const many = keyInUse('key_1', 'shared', instances(400)).details as { used_by: unknown[]; used_by_total: number };
    expect([many.used_by.length, many.used_by_total]).toEqual([IN_USE_INSTANCES_NAMED, 400]);
    expect(many.used_by[99]).toEqual({ instance_id: 'as2_99', my_as2_id: 'ME-99' });
  });

  it('counts the instances read only as their first ones and a count', () => {
    const counted = keyInUse('key_1', 'shared', instances(IN_USE_INSTANCES_NAMED), 2000).details as { used_by: unknown[]; used_by_total: number };
    expect([counted.used_by.length, counted.used_by_total]).toEqual([IN_USE_INSTANCES_NAMED, 2000]);
  });
});
