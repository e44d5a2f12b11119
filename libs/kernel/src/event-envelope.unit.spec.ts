import { aggregateIdOf, categoryOf } from './event-envelope';

describe('stream names', () => {
  it('splits category and aggregate id at the first dash', () => {
    expect(categoryOf('partner-prt_01ABC')).toBe('partner');
    expect(aggregateIdOf('partner-prt_01ABC')).toBe('prt_01ABC');
    expect(aggregateIdOf('as2id-acct-1-ten-2-ACME-CORP')).toBe('acct-1-ten-2-ACME-CORP');
  });
});
