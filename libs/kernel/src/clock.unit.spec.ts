import { stampedNotBefore } from './clock';

describe('stampedNotBefore', () => {
  it('is now, unless the version replaced was stamped later', () => {
    expect(stampedNotBefore('2026-12-06T14:13:33.211Z', '2026-12-06T14:13:33.041Z')).toBe('2026-12-06T14:13:33.211Z');
    expect(stampedNotBefore('2026-12-06T14:13:33.041Z', '2026-12-06T14:13:33.211Z')).toBe('2026-12-06T14:13:33.211Z');
    expect(stampedNotBefore('2026-12-06T14:13:33.041Z', '2026-12-06T14:13:33.041Z')).toBe('2026-12-06T14:13:33.041Z');
  });

  it('compares instants, not texts (another precision, another offset)', () => {
    expect(stampedNotBefore('2026-12-06T14:13:33.5Z', '2026-12-06T14:13:33.041000Z')).toBe('2026-12-06T14:13:33.5Z');
    expect(stampedNotBefore('2026-12-06T14:13:33.000Z', '2026-12-06T15:13:32.000+01:00')).toBe('2026-12-06T14:13:33.000Z');
  });
});
