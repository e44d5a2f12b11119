import { successRateOf } from './message-stats.query';

describe('successRateOf', () => {
  it('rounds every rate half up to one decimal, for every count up to 2,000 finished messages', () => {
    const wrong: string[] = [];
    for (let finished = 1; finished <= 2_000; finished++) {
      for (let delivered = 0; delivered <= finished; delivered++) {
        // half up in integers: floor((2 × 1000 × delivered + finished) / (2 × finished)) tenths of a percent
        const tenths = Math.floor((2_000 * delivered + finished) / (2 * finished));
        if (successRateOf(delivered, finished) !== tenths / 10) wrong.push(`${delivered}/${finished}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('is 50.3 for 201 of 400 as 6.3 for 1 of 16, and null when nothing finished', () => {
    expect([successRateOf(201, 400), successRateOf(203, 400), successRateOf(1, 16), successRateOf(2, 3), successRateOf(0, 0)]).toEqual([50.3, 50.8, 6.3, 66.7, null]);
  });
});
