import { StopBudget } from './stop-budget';

describe('StopBudget: the steps of one shutdown share its wait for Kafka', () => {
  it('gives the first step all of it, the steps after what is left, never less than the least', () => {
    const budget = new StopBudget(10_000, 250);
    expect(budget.stepMs(1_000)).toBe(10_000);
    // The first step gave up after its 10 s: the consumers stopped next and the close get only the least.
    expect(budget.stepMs(11_000)).toBe(250);
    expect(budget.stepMs(11_300)).toBe(250);
    // Steps begun together share what is left.
    expect(budget.stepMs(4_000)).toBe(7_000);
  });

  it('gives a step long after the last shutdown all of it anew (a subscription stopped while the service runs)', () => {
    const budget = new StopBudget(10_000, 250);
    expect(budget.stepMs(0)).toBe(10_000);
    expect(budget.stepMs(20_001)).toBe(10_000);
    expect(budget.stepMs(25_000)).toBe(5_001);
  });
});
