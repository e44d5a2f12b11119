import { DomainError } from '@as2-partners/kernel';
import { utcInstantOf } from './utc-instant';

describe('utcInstantOf: a zoned ISO-8601 instant the calendar has', () => {
  it.each([
    ['2026-12-01T06:00:00Z', '2026-12-01T06:00:00.000Z'],
    ['2026-12-01T06:00Z', '2026-12-01T06:00:00.000Z'],
    ['2026-12-01T08:00:00.5+02:00', '2026-12-01T06:00:00.500Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['2026-12-31T23:59:59Z', '2026-12-31T23:59:59.000Z'],
  ])('%s is %s', (given, expected) => {
    expect(utcInstantOf(given, 'until', 'CODE')).toBe(expected);
  });

  it.each([
    ['a day February lacks (rolled over to March by Date.parse)', '2027-02-30T00:00:00Z'],
    ['February 29 of a common year', '2027-02-29T00:00:00Z'],
    ['the 31st of a 30-day month', '2026-11-31T00:00:00Z'],
    ['hour 24 (rolled over to the next day by Date.parse)', '2026-12-01T24:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['day 0', '2026-12-00T00:00:00Z'],
    ['no zone', '2026-12-01T06:00:00'],
    ['a date without a time', '2026-12-01'],
    ['not a string', 1_765_000_000_000],
  ])('refuses %s, naming the field with the given code', (_why, given) => {
    let error: unknown;
    try {
      utcInstantOf(given, 'starts_at', 'INVALID_WINDOW');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'INVALID_WINDOW', field: 'starts_at' });
  });
});
