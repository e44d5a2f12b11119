import { KeyedMutex } from './keyed-mutex';

describe('KeyedMutex', () => {
  it('runs work handed together under one key one after another, in order, a failed one not stopping the next', async () => {
    const mutex = new KeyedMutex();
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
    const results = await Promise.allSettled([mutex.run('k', task('a')), mutex.run('k', task('b', true)), mutex.run('k', task('c'))]);
    expect(most).toBe(1);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
