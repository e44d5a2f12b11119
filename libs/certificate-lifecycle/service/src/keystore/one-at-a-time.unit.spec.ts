import { OneAtATime } from './one-at-a-time';

describe('OneAtATime', () => {
  it('runs tasks handed together one after another, in order, a failed one not stopping the next', async () => {
    const queue = new OneAtATime();
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const task = (name: string, fails = false) => async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      order.push(name);
      running -= 1;
      if (fails) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([queue.run(task('a')), queue.run(task('b', true)), queue.run(task('c'))]);
    expect(most).toBe(1);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
