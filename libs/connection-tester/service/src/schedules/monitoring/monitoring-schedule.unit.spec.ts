import { currentSlotOf } from './monitoring-schedule';

describe('monitoring schedule', () => {
  const at = (minutes: number) => new Date(Date.UTC(2026, 10, 30, 10, 0) + minutes * 60_000);

  it('gives each monitored partner one slot per interval, the same on every replica', () => {
    const slots = [0, 5, 14, 15, 29, 30, 44].map((m) => currentSlotOf('acme.t1.prt_1', 15, at(m)).getTime());
    for (const [i, slot] of slots.entries()) expect(slot).toBeLessThanOrEqual(at([0, 5, 14, 15, 29, 30, 44][i]!).getTime());
    expect(new Set(slots).size).toBeGreaterThanOrEqual(3);
    expect(new Set(slots).size).toBeLessThanOrEqual(4);
    expect(currentSlotOf('acme.t1.prt_1', 15, at(7))).toEqual(currentSlotOf('acme.t1.prt_1', 15, at(7)));
  });

  it('spreads partners over the interval instead of the top of the hour', () => {
    const offsets = Array.from({ length: 200 }, (_, i) => currentSlotOf(`acme.t1.prt_${i}`, 60, at(0)).getTime() % 3_600_000);
    const minutes = new Set(offsets.map((o) => Math.floor(o / 60_000)));
    expect(minutes.size).toBeGreaterThan(40);
  });
});
